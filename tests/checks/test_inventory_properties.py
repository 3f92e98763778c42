"""data_exposure.spec-undeclared-properties: responses richer than their schema."""

from __future__ import annotations

from tests.fixtures.apps.spec_apps import exposure_api, exposure_spec
from tests.support import assert_completed

CHECK = {"checks": ("data_exposure.spec-undeclared-properties",)}


def test_undeclared_password_hash_is_high_and_other_extras_low(serve, run_scan, tmp_spec):
    http = serve(exposure_api(clean=False))
    report = run_scan(http.url, spec=tmp_spec(exposure_spec()), **CHECK)
    found = {(f.id, f.severity.value, f.path) for f in report.findings}
    assert found == {
        ("data_exposure.undeclared-sensitive-property", "high", "/users/{userId}"),
        ("data_exposure.undeclared-sensitive-property", "high", "/users"),
        ("data_exposure.undeclared-property", "low", "/users/{userId}"),
        ("data_exposure.undeclared-property", "low", "/users"),
    }
    one = next(f for f in report.findings if f.path == "/users/{userId}"
               and f.severity.value == "high")
    assert one.evidence.data["properties"] == ["password_hash"]
    assert "password_hash" in (one.evidence.response or "")
    nested = next(f for f in report.findings if f.path == "/users"
                  and f.severity.value == "low")
    assert nested.evidence.data["properties"] == ["[].tags[].internal_note"]


def test_templated_path_is_reached_with_a_schema_valid_value(serve, run_scan, tmp_spec):
    app = exposure_api(clean=False)
    http = serve(app)
    run_scan(http.url, spec=tmp_spec(exposure_spec()), **CHECK)
    assert app.config["received"] == ["/users/1?"]  # minimum: 1, sent once


def test_response_matching_its_schema_is_silent(serve, run_scan, tmp_spec):
    http = serve(exposure_api(clean=True))
    report = run_scan(http.url, spec=tmp_spec(exposure_spec()), **CHECK)
    assert_completed(report)
    assert report.findings == []
