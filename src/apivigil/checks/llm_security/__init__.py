"""LLM security family: endpoints that put a language model behind an API."""

from apivigil.checks.base import Check
from apivigil.checks.llm_security.agency import ExcessiveAgency
from apivigil.checks.llm_security.consumption import UnboundedConsumption
from apivigil.checks.llm_security.exposure import EndpointExposure
from apivigil.checks.llm_security.injection import PromptInjection
from apivigil.checks.llm_security.output import OutputHandling

CHECKS: tuple[type[Check], ...] = (EndpointExposure, PromptInjection, OutputHandling,
                                   ExcessiveAgency, UnboundedConsumption)
