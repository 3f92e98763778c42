"""Authentication family: can an attacker get in, or learn which accounts exist?"""

from apivigil.checks.authentication.enforcement import AuthenticationEnforcement
from apivigil.checks.base import Check

CHECKS: tuple[type[Check], ...] = (AuthenticationEnforcement,)
