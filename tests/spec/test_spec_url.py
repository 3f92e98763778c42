"""Specs loaded from URLs: relative $refs on the same host, other hosts refused, base paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, Response, jsonify

from apivigil.core.errors import SpecError
from tests.support import above_low

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"


def files_app(directory: Path, api_prefix: str = "/v1") -> Flask:
    """Serves spec files under /spec/ and a tiny orders API under `api_prefix`."""
    app = Flask("spec-files")
    hits: list[str] = []
    app.config["hits"] = hits

    @app.get("/spec/<path:name>")
    def spec_file(name: str) -> Response:
        return Response((directory / name).read_text(), content_type="application/yaml")

    @app.get(api_prefix + "/orders/<order_id>")
    def order(order_id: str) -> Response:
        hits.append(order_id)
        return jsonify(id=order_id, items=[{"sku": "A1", "quantity": 1}])

    return app


def test_swagger_2_spec_url_with_relative_refs_and_base_path(serve, run_scan):
    app = files_app(SPECS / "v2")
    http = serve(app)
    report = run_scan(http.url, spec=http.url + "/spec/swagger.yaml",
                      checks=("inventory.spec-conformance",
                              "data_exposure.spec-undeclared-properties"))
    # basePath /v1 from the spec; the enum's first value fills the path parameter
    assert app.config["hits"] == ["A-1"]
    listed = {(o.method, o.path): o.status for o in report.operations}
    assert listed == {("GET", "/orders/{orderId}"): "exercised", ("POST", "/orders"): "skipped"}
    assert above_low(report) == []


def test_refs_to_another_host_are_refused(serve, run_scan, tmp_path):
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      parameters: [{$ref: 'http://198.51.100.7/params.yaml#/p'}]\n"
        "      responses: {'200': {description: ok}}\n")
    http = serve(files_app(tmp_path))
    with pytest.raises(SpecError, match=re.escape("refused to fetch http://198.51.100.7/params")):
        run_scan(http.url, spec=http.url + "/spec/openapi.yaml")
