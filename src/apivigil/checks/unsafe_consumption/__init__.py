"""Unsafe consumption family (OWASP API10): does the API trust what third parties send it?"""

from apivigil.checks.base import Check
from apivigil.checks.unsafe_consumption.fetched_content import FetchedContent
from apivigil.checks.unsafe_consumption.webhooks import WebhookSigning

CHECKS: tuple[type[Check], ...] = (FetchedContent, WebhookSigning)
