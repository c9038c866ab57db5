"""The rate limiter lives in complaintdesk.common.ratelimit (the portal, the survey link and the WeChat callback
use it too, and they are not above the API). These names stay here until the portal imports them from there."""

from complaintdesk.common.problems import too_many_requests
from complaintdesk.common.ratelimit import (
    DEFAULT_RATE,
    Rate,
    RateLimited,
    client_ip,
    rate_for,
    ratelimit_hit,
    ratelimit_reset,
    ratelimited,
)

__all__ = [
    "DEFAULT_RATE",
    "Rate",
    "RateLimited",
    "client_ip",
    "rate_for",
    "ratelimit_hit",
    "ratelimit_reset",
    "ratelimited",
    "too_many_requests",
]
