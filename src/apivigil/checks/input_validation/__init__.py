"""Input validation family: how does the API handle input it did not expect?"""

from apivigil.checks.base import Check
from apivigil.checks.input_validation.content_type import ContentTypeConfusion
from apivigil.checks.input_validation.http_methods import HttpMethods
from apivigil.checks.input_validation.injection import Injection
from apivigil.checks.input_validation.malformed_input import MalformedInput
from apivigil.checks.input_validation.sql_differential import SqlDifferential
from apivigil.checks.input_validation.state_changing_get import StateChangingGet

CHECKS: tuple[type[Check], ...] = (MalformedInput, Injection, SqlDifferential, HttpMethods,
                                   ContentTypeConfusion, StateChangingGet)
