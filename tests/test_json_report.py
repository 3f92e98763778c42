"""The JSON report format: the published schema matches the models, and reports validate."""

from __future__ import annotations

import jsonschema

from apivigil.reporting.json_report import published_schema, render, report_schema
from tests.fixtures.apps.basic import protected_api


def test_published_schema_is_up_to_date():
    # Regenerate with: python -m apivigil.reporting.json_report
    assert published_schema() == report_schema()


def test_report_validates_and_has_documented_fields(serve, run_scan):
    import json

    https = serve(protected_api(), tls="modern")
    document = json.loads(render(run_scan(https.url + "/")))
    jsonschema.Draft202012Validator(published_schema()).validate(document)
    for key in ("tool", "version", "target", "started_at", "finished_at", "score", "grade",
                "categories", "findings", "checks", "requests"):
        assert key in document
    finding = document["findings"][0]
    for key in ("id", "title", "severity", "confidence", "category", "owasp", "cwe", "method",
                "url", "path", "evidence", "remediation", "fingerprint"):
        assert key in finding
    assert all(isinstance(c, int) for c in finding["cwe"])
    assert finding["severity"] == finding["severity"].lower()


def test_fingerprints_are_stable_across_runs(serve, run_scan):
    https = serve(protected_api(), tls="modern")
    first = run_scan(https.url + "/")
    second = run_scan(https.url + "/")
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert first.findings
