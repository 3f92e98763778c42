"""Authorization family: with several identities, may one act on what belongs to another?

Three categories: object level (bola), function level (bfla) and property level
(property_authorization). The checks compare what different identities (`--identity`) are
given; `objects.py` holds what they share.
"""

from apivigil.checks.authorization.bfla_admin import AdminFunctionAccess
from apivigil.checks.authorization.bfla_methods import UndeclaredWriteMethod
from apivigil.checks.authorization.bola_adjacent import AdjacentObjectAccess
from apivigil.checks.authorization.bola_cross_identity import CrossIdentityObjectAccess
from apivigil.checks.authorization.bola_write import CrossIdentityObjectWrite
from apivigil.checks.authorization.mass_assignment import MassAssignment
from apivigil.checks.authorization.property_exposure import PropertyExposure
from apivigil.checks.base import Check

CHECKS: tuple[type[Check], ...] = (CrossIdentityObjectAccess, CrossIdentityObjectWrite,
                                    AdjacentObjectAccess,
                                    AdminFunctionAccess, UndeclaredWriteMethod, PropertyExposure,
                                    MassAssignment)
