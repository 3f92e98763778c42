"""Rate limiting family: does the API stop an attacker who guesses?"""

from apivigil.checks.base import Check
from apivigil.checks.rate_limiting.advertised_limits import AdvertisedLimits
from apivigil.checks.rate_limiting.bypass import RateLimitBypass
from apivigil.checks.rate_limiting.login_throttling import LoginThrottling
from apivigil.checks.rate_limiting.signal import RateLimitSignal

# Order matters within phase 20: the burst first, the bypass while the limiter is still tripped.
CHECKS: tuple[type[Check], ...] = (RateLimitSignal, LoginThrottling, AdvertisedLimits,
                                   RateLimitBypass)
