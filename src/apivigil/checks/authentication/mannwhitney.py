"""The one-sided Mann-Whitney U test with its exact null distribution (no scipy needed).

The timing check compares at most a few dozen samples per side, where the exact distribution
is cheap: the number of arrangements of n and m samples with U = u is the coefficient of q**u
in the Gaussian binomial coefficient [n+m choose n]_q = prod_{i=1..n} (1 - q**(m+i)) /
(1 - q**i), computed with integer polynomials in O(n * n * m) steps. Ties (rare with
nanosecond timings) get mid-ranks; the p-value then uses the no-ties distribution, which is
slightly conservative.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, comb


@dataclass(frozen=True)
class MannWhitney:
    statistic: float  # U of the first sample
    p_value: float  # P(U >= statistic) when both samples come from one distribution


def mann_whitney_greater(first: list[float], second: list[float]) -> MannWhitney:
    """Is `first` stochastically greater than `second`? (scipy's alternative="greater")."""
    n, m = len(first), len(second)
    if n == 0 or m == 0:
        raise ValueError("both samples need at least one value")
    ranks = _midranks([*first, *second])
    u = sum(ranks[:n]) - n * (n + 1) / 2
    counts = u_distribution(n, m)
    at_least = sum(counts[min(ceil(u - 1e-9), n * m):]) if u <= n * m else 0
    return MannWhitney(statistic=u, p_value=at_least / comb(n + m, n))


def u_distribution(n: int, m: int) -> list[int]:
    """counts[u] = how many of the C(n+m, n) orderings give U = u, for u in 0..n*m."""
    size = n * m + 1
    poly = [0] * size
    poly[0] = 1
    for i in range(1, n + 1):
        step = m + i  # multiply by (1 - q**step), truncated (the result has degree n*m)
        for k in range(size - 1, step - 1, -1):
            poly[k] -= poly[k - step]
        for k in range(i, size):  # divide by (1 - q**i): exact, a running sum with stride i
            poly[k] += poly[k - i]
    return poly


def _midranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks
