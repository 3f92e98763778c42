"""Input validation family: how does the API handle input it did not expect?"""

from apivigil.checks.base import Check

CHECKS: tuple[type[Check], ...] = ()
