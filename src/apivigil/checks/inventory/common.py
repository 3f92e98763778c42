"""What the inventory family's checks share: remediation texts and operation labels."""

from __future__ import annotations

from apivigil.core.models import Remediation
from apivigil.remediation import examples
from apivigil.spec.model import Operation

MAX_LISTED = 20  # operations or properties named in one finding's evidence

SPEC_REFERENCES = (
    "https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/",
    "https://spec.openapis.org/oas/v3.1.0",
)


def label(operation: Operation) -> str:
    return f"{operation.method} {operation.path}"


def listed(items: list[str]) -> list[str]:
    """At most MAX_LISTED items, with a count of the rest."""
    if len(items) <= MAX_LISTED:
        return items
    return [*items[:MAX_LISTED], f"... and {len(items) - MAX_LISTED} more"]


KEEP_SPEC_IN_SYNC = Remediation(
    summary=(
        "Generate the spec from the code (or the code from the spec) and test the running "
        "API against it in CI, so the documentation and the service cannot drift apart."
    ),
    examples=examples("spec-from-code"),
    references=SPEC_REFERENCES,
)
