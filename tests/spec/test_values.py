"""Values that reach an operation: examples first, then defaults and enums, then generated."""

from __future__ import annotations

import pytest

from apivigil.spec.model import CIRCULAR, Operation, Parameter
from apivigil.spec.values import fill_path, header_values, parameter_value, schema_value


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "string", "example": "x", "default": "y", "enum": ["z"]}, "x"),
        ({"type": "string", "default": "y", "enum": ["z"]}, "y"),
        ({"type": "string", "enum": ["z", "w"]}, "z"),
        ({"const": 3}, 3),
        ({"type": "string", "examples": ["first"]}, "first"),
        ({"type": "string", "format": "uuid"}, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ({"type": "string", "format": "date"}, "2024-01-01"),
        ({"type": "string", "minLength": 12}, "apivigilxxxx"),
        ({"type": "string", "maxLength": 3}, "api"),
        ({"type": "integer", "minimum": 10, "maximum": 20}, 10),
        ({"type": "integer", "maximum": 0}, 0),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "number", "exclusiveMinimum": 2.5}, 3.5),
        ({"type": ["null", "boolean"]}, True),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
        ({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "string", "example": "v"}, "b": {"type": "integer"}}}, {"a": "v"}),
        ({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}},
                    {"type": "object", "required": ["b"], "properties": {"b": {"const": 2}}}]},
         {"a": 1, "b": 2}),
        ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 1),
        ({"$ref": "#/x", CIRCULAR: True}, None),
    ],
)
def test_schema_values(schema, value):
    assert schema_value(schema) == value


def test_parameter_example_wins_and_path_values_are_encoded():
    slug = Parameter("slug", "path", True, {"type": "string"}, example="a b/c")
    item = Parameter("id", "path", True, {"type": "integer"}, examples=(None, 9))
    untyped = Parameter("x", "path", True, {})
    operation = Operation("GET", "/p/{slug}/{id}/{x}", parameters=(slug, item, untyped))
    assert parameter_value(item) == 9
    assert fill_path(operation) == "/p/a%20b%2Fc/9/1"


def test_required_headers_are_filled_but_never_credentials():
    params = (Parameter("X-Request-Id", "header", True, {"type": "string", "format": "uuid"}),
              Parameter("Authorization", "header", True, {"type": "string"}),
              Parameter("X-Optional", "header", False, {"type": "string"}))
    assert header_values(Operation("GET", "/", parameters=params)) == {
        "X-Request-Id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
