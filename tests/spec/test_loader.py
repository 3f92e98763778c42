"""Loading OpenAPI 2.0, 3.0 and 3.1 with $refs across files, circular references, hostile input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from apivigil.core.errors import SpecError
from apivigil.spec.loader import MAX_SPEC_BYTES, load_spec_file, parse_document
from apivigil.spec.schemas import undeclared_properties
from apivigil.spec.values import fill_path, query_string, request_body, schema_value

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"


def op(spec, key):
    return next(o for o in spec.operations if o.key == key)


def test_openapi_30_yaml_with_refs_across_files():
    spec = load_spec_file(str(SPECS / "v30" / "openapi.yaml"))
    assert spec.version == "3.0.3"
    assert [o.key for o in spec.operations] == [
        "GET /pets", "GET /pets/{petId}", "DELETE /pets/{petId}"]
    listing = op(spec, "GET /pets")
    assert listing.explicitly_public and not listing.secured
    [limit] = listing.parameters
    assert (limit.name, limit.location, limit.required, limit.schema["maximum"]) == (
        "limit", "query", True, 50)
    # a path-level parameter from another file, inherited by both operations
    get_pet = op(spec, "GET /pets/{petId}")
    assert get_pet.secured and get_pet.security == (("basicAuth",),)
    assert [p.name for p in op(spec, "DELETE /pets/{petId}").parameters] == ["petId"]
    # nested reference inside the referenced file (#/Owner relative to schemas.yaml)
    schema = get_pet.responses["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["owner"]["properties"]["nick"]["maxLength"] == 40
    assert spec.servers == ("https://pets.example.com/api",) and spec.base_path == "/api"
    assert fill_path(get_pet) == "/pets/42"
    assert query_string(listing) == "limit=10"


def test_openapi_31_json_with_refs_siblings_and_server_variables():
    spec = load_spec_file(str(SPECS / "v31" / "openapi.json"))
    assert spec.version == "3.1.0"
    assert spec.servers == ("https://notes.example.com/v2",)
    get_note = op(spec, "GET /notes/{noteId}")
    assert get_note.responses["200"]["content"]["application/json"]["schema"][
        "additionalProperties"] is False
    assert fill_path(get_note) == "/notes/3fa85f64-5717-4562-b3fc-2c963f66afa6"
    post = op(spec, "POST /notes")
    schema = post.request_body["content"]["application/json"]["schema"]
    # $ref with sibling keywords (3.1): the target plus the siblings
    assert schema["required"] == ["text"] and "text" in schema["properties"]
    assert request_body(post) == ("application/json", json.dumps({"text": "hello"}).encode())


def test_swagger_20_body_parameters_become_request_bodies():
    spec = load_spec_file(str(SPECS / "v2" / "swagger.yaml"))
    assert spec.version == "2.0"
    assert spec.servers == ("https://orders.example.com/v1",)
    assert spec.security_schemes["key"].location == "header"
    get_order = op(spec, "GET /orders/{orderId}")
    assert fill_path(get_order) == "/orders/A-1"  # first enum value
    schema = get_order.responses["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["items"]["items"]["properties"]["sku"]["pattern"]
    post = op(spec, "POST /orders")
    assert post.request_body["required"] is True
    assert [p.name for p in post.parameters] == []  # the body is not a parameter
    media, body = request_body(post)
    assert media == "application/json" and json.loads(body) == {"id": "A-1"}


def test_circular_references_resolve_without_hanging():
    started = time.perf_counter()
    spec = load_spec_file(str(SPECS / "circular.yaml"))
    assert time.perf_counter() - started < 5  # a hang would never get here
    assert any(ref.endswith("#/components/schemas/Node") for ref in spec.circular_refs)
    assert any(ref.endswith("#/components/schemas/A") for ref in spec.circular_refs)
    tree = op(spec, "GET /tree").responses["200"]["content"]["application/json"]["schema"]
    # the cycle is cut, not expanded: deep values are not judged, shallow ones are
    deep = {"name": "r", "children": [{"name": "c", "children": [{"name": "g", "x": 1}]}]}
    assert undeclared_properties(deep, tree) == []
    assert undeclared_properties({"name": "r", "extra": 1}, tree) == ["extra"]
    assert isinstance(schema_value(tree), dict)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not: [valid", "neither valid JSON nor YAML"),
        ("[1, 2]", "top level is not a mapping"),
        ('{"info": {}}', "no 'openapi: 3.x' or 'swagger: 2.0' field"),
        ('{"openapi": "3.0.0", "paths": {}}', "declares no operations"),
        ('{"openapi": "3.0.0", "paths": {"pets": {"get": {}}}}', "does not start with '/'"),
        ('{"openapi": "3.0.0", "paths": {"/p": {"get": {"parameters": '
         '[{"$ref": "#/nowhere"}]}}}}', "unresolvable reference '#/nowhere'"),
        ('{"openapi": "3.0.0", "paths": {"/p": {"get": {"parameters": '
         '[{"$ref": "missing.yaml#/x"}]}}}}', "spec file not found"),
    ],
)
def test_invalid_documents_raise_a_clear_spec_error(tmp_path, text, message):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as raised:
        load_spec_file(str(path))
    assert message in str(raised.value)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec_file(str(tmp_path / "nope.yaml"))
    with pytest.raises(SpecError, match="directory"):
        load_spec_file(str(tmp_path))
    binary = tmp_path / "spec.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match="cannot read"):
        load_spec_file(str(binary))


def test_yaml_alias_bomb_fails_fast():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "openapi: 3.0.0\n" + "\n".join(lines) + "\npaths: {}\n"
    started = time.perf_counter()
    with pytest.raises(SpecError, match="alias"):
        parse_document(text, "bomb.yaml")
    # Expanding the bomb would take billions of nodes: a generous bound only tells "refused
    # before expansion" from "hangs", it is no speed target.
    assert time.perf_counter() - started < 60


def test_deeply_nested_documents_fail_with_a_clear_error():
    deep_json = '{"openapi": "3.0.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(SpecError, match="nested too deeply"):
        parse_document(deep_json, "deep.json")
    deep_yaml = "openapi: 3.0.0\nx: " + "[" * 20_000 + "]" * 20_000 + "\n"
    with pytest.raises(SpecError, match="nested too deeply"):
        parse_document(deep_yaml, "deep.yaml")


def test_deep_reference_chain_is_refused_not_crashed(tmp_path):
    schemas = {f"S{i}": {"type": "object", "properties": {"n": {"$ref":
               f"#/components/schemas/S{i + 1}"}}} for i in range(2000)}
    schemas["S2000"] = {"type": "string"}
    document = {"openapi": "3.0.0", "components": {"schemas": schemas}, "paths": {"/p": {"get": {
        "responses": {"200": {"description": "x", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/S0"}}}}}}}}}
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SpecError, match="nested too deeply"):
        load_spec_file(str(path))


def test_huge_spec_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_SPEC_BYTES + 1))
    with pytest.raises(SpecError, match="larger than 20 MiB"):
        load_spec_file(str(path))


def test_binary_garbage_is_a_spec_error_not_a_crash():
    with pytest.raises(SpecError, match="neither valid JSON nor YAML"):
        parse_document("\x00" * 64, "garbage")


def test_unquoted_yaml_status_codes_are_read_as_strings(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                    "      responses:\n        200: {description: ok}\n"
                    "        4XX: {description: bad}\n")
    [operation] = load_spec_file(str(path)).operations
    assert operation.response_for(200) == {"description": "ok"}
    assert operation.response_for(404) == {"description": "bad"}
    assert operation.response_for(500) is None


def test_properties_named_like_keywords_are_still_resolved(tmp_path):
    document = {"openapi": "3.0.0", "components": {"schemas": {
        "Str": {"type": "string", "maxLength": 5}}},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "default": {"$ref": "#/components/schemas/Str"},
                "enum": {"$ref": "#/components/schemas/Str"},
                "$ref": {"type": "integer"}}}}}}}}}}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document))
    [operation] = load_spec_file(str(path)).operations
    properties = operation.responses["200"]["content"]["application/json"]["schema"][
        "properties"]
    assert properties == {"default": {"type": "string", "maxLength": 5},
                          "enum": {"type": "string", "maxLength": 5},
                          "$ref": {"type": "integer"}}
