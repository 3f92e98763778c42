"""Rate limiting family: does the API stop an attacker who guesses?"""

from apivigil.checks.base import Check

CHECKS: tuple[type[Check], ...] = ()
