"""SSRF family (OWASP API7): can the API be made to fetch URLs an attacker chooses?"""

from apivigil.checks.base import Check
from apivigil.checks.ssrf.forgery import ServerSideRequestForgery

CHECKS: tuple[type[Check], ...] = (ServerSideRequestForgery,)
