"""Inventory: the OpenAPI spec audited, and the running API held to it.

Static rules on the document (spec audit, spec vs transport), the operations exercised and
compared with what the spec declares (status codes, content types, drift, undeclared
properties), undocumented endpoints that answer, and a publicly served spec.
"""

from __future__ import annotations

from apivigil.checks.base import Check
from apivigil.checks.inventory.conformance import SpecConformance
from apivigil.checks.inventory.public_spec import PublicSpec
from apivigil.checks.inventory.spec_audit import SpecAudit
from apivigil.checks.inventory.spec_transport import SpecTransport
from apivigil.checks.inventory.undeclared_properties import UndeclaredProperties
from apivigil.checks.inventory.undocumented import UndocumentedEndpoints

CHECKS: tuple[type[Check], ...] = (
    SpecAudit,
    SpecTransport,
    SpecConformance,
    UndeclaredProperties,
    UndocumentedEndpoints,
    PublicSpec,
)
