"""Input validation family: how does the API handle input it did not expect?"""

from apivigil.checks.base import Check
from apivigil.checks.input_validation.content_type import ContentTypeConfusion
from apivigil.checks.input_validation.http_methods import HttpMethods
from apivigil.checks.input_validation.injection import Injection
from apivigil.checks.input_validation.malformed_input import MalformedInput

CHECKS: tuple[type[Check], ...] = (MalformedInput, Injection, HttpMethods, ContentTypeConfusion)
