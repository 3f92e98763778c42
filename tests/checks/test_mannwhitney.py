"""The exact one-sided Mann-Whitney U test the timing check uses, against known values."""

from __future__ import annotations

from math import comb

import pytest

from apivigil.checks.authentication.mannwhitney import mann_whitney_greater, u_distribution


def test_null_distribution_of_small_samples():
    # n=3, m=2: the 10 orderings give U = 0..6 with counts 1 1 2 2 2 1 1 (Mann & Whitney 1947)
    assert u_distribution(3, 2) == [1, 1, 2, 2, 2, 1, 1]
    for n, m in ((1, 1), (4, 6), (11, 11), (40, 40)):
        counts = u_distribution(n, m)
        assert sum(counts) == comb(n + m, n)
        assert counts == counts[::-1]  # symmetric around n*m/2


def test_complete_separation_has_the_smallest_p_value():
    result = mann_whitney_greater([5.0, 6.0, 7.0], [1.0, 2.0, 3.0, 4.0])
    assert result.statistic == 12
    assert result.p_value == pytest.approx(1 / 35)  # one ordering in C(7, 3)


@pytest.mark.parametrize(
    ("first", "second", "u", "p"),
    [
        # reference values from scipy.stats.mannwhitneyu(..., alternative="greater",
        # method="exact"), scipy 1.17
        ([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30],
         [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29], 58.0, 0.06796),
        ([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
         [1.15, 0.88, 0.90, 0.74, 1.21, 1.12, 1.33, 1.01, 0.95, 0.84], 68.0, 0.09516),
    ],
)
def test_matches_reference_values(first, second, u, p):
    result = mann_whitney_greater(first, second)
    assert result.statistic == u
    assert result.p_value == pytest.approx(p, abs=1e-5)


def test_ties_get_mid_ranks():
    assert mann_whitney_greater([2.0, 2.0], [2.0, 1.0]).statistic == 3.0


def test_empty_sample_is_refused():
    with pytest.raises(ValueError, match="at least one value"):
        mann_whitney_greater([], [1.0])
