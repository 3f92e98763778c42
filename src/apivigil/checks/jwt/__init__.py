"""JWT family: what is wrong with the API's JSON Web Tokens (analysis, guessable keys,
forgeries the API accepts)."""

from apivigil.checks.base import Check
from apivigil.checks.jwt.analysis import JwtAnalysis
from apivigil.checks.jwt.forgery import JwtForgery
from apivigil.checks.jwt.weak_secret import JwtWeakSecret

CHECKS: tuple[type[Check], ...] = (JwtAnalysis, JwtWeakSecret, JwtForgery)
