"""Authentication family: can an attacker get in, or learn which accounts exist?"""

from apivigil.checks.authentication.broken_check import BrokenCredentialCheck
from apivigil.checks.authentication.credentials_in_url import CredentialsInUrl
from apivigil.checks.authentication.debug_console import DebugConsole
from apivigil.checks.authentication.default_credentials import DefaultCredentials
from apivigil.checks.authentication.enforcement import AuthenticationEnforcement
from apivigil.checks.authentication.enumeration import UserEnumerationResponse
from apivigil.checks.authentication.malformed_headers import MalformedAuthorization
from apivigil.checks.authentication.schemes import AuthenticationSchemes
from apivigil.checks.authentication.timing import UserEnumerationTiming
from apivigil.checks.authentication.verbose_errors import VerboseAuthErrors
from apivigil.checks.base import Check

CHECKS: tuple[type[Check], ...] = (
    AuthenticationSchemes,
    AuthenticationEnforcement,
    UserEnumerationResponse,
    VerboseAuthErrors,
    UserEnumerationTiming,
    BrokenCredentialCheck,
    MalformedAuthorization,
    CredentialsInUrl,
    DefaultCredentials,
    DebugConsole,
)
