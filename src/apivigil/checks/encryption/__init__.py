"""Encryption family: can an attacker on the network read what the API's clients send?"""

from apivigil.checks.base import Check
from apivigil.checks.encryption.certificate import Certificate
from apivigil.checks.encryption.cleartext import CleartextExposure
from apivigil.checks.encryption.cookies import CookieFlags
from apivigil.checks.encryption.enforcement import HttpsEnforcement
from apivigil.checks.encryption.hsts import Hsts
from apivigil.checks.encryption.tls import TlsConfiguration

CHECKS: tuple[type[Check], ...] = (
    CleartextExposure, HttpsEnforcement, Hsts, TlsConfiguration, Certificate, CookieFlags)
