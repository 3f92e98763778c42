"""Data exposure family: what does the API reveal that it should not?"""

from apivigil.checks.base import Check
from apivigil.checks.data_exposure.cache_control import CacheControl
from apivigil.checks.data_exposure.cors import Cors
from apivigil.checks.data_exposure.error_disclosure import ErrorDisclosure
from apivigil.checks.data_exposure.sensitive_data import SensitiveData
from apivigil.checks.data_exposure.version_banner import VersionBanner

CHECKS: tuple[type[Check], ...] = (SensitiveData, ErrorDisclosure, VersionBanner, Cors,
                                   CacheControl)
