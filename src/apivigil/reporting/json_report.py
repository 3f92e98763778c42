"""The JSON report: a versioned format whose JSON Schema ships beside this module.

`report.schema.json` is generated from the pydantic models (`python -m
apivigil.reporting.json_report` rewrites it) and a test fails when the two drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apivigil.core.models import Report
from apivigil.reporting import ReportFormat

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
SCHEMA_ID = "https://apivigil.dev/schemas/report-1.0.schema.json"


def render(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def published_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


if __name__ == "__main__":
    SCHEMA_PATH.write_text(json.dumps(report_schema(), indent=2) + "\n", encoding="utf-8")


FORMAT = ReportFormat("json", (".json",), render)
