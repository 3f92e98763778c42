"""Throttled failed logins in Django with django-ratelimit, as one file
(pip install django django-ratelimit bcrypt).

Run it with a production WSGI server behind TLS (gunicorn app:app). In a project, the
settings go to settings.py, `basic_auth` to a module of its own and USERS to your user model.
"""

import base64
import functools
import os
import secrets

import bcrypt
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    ALLOWED_HOSTS=os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(","),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.security.SecurityMiddleware"],
    # The counts live in the cache: this one is in this process only. With several
    # processes or hosts use a shared one, e.g.
    # {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://..."}
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    # The limiter keys on REMOTE_ADDR, the connection's address, which a client cannot
    # choose. Behind a reverse proxy, set RATELIMIT_IP_META_KEY to the header that proxy
    # writes (and make sure it overwrites what clients send).
)

from django_ratelimit.core import get_usage  # noqa: E402  (needs the settings above)

FAILED_LOGINS = {"group": "failed-logins", "key": "ip", "rate": "10/15m"}  # per address

# user name -> bcrypt hash, from your user store (made here so the example runs)
USERS = {"carol": bcrypt.hashpw(b"correct-horse-battery", bcrypt.gensalt())}
DUMMY_HASH = bcrypt.hashpw(b"no user has this password", bcrypt.gensalt())


def authenticated_user(header):
    """The user the Authorization header proves, or None: for every kind of failure."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # not base64 (or not ASCII), or not UTF-8: no credentials
        return None
    username, colon, password = decoded.partition(":")
    secret = password.encode()
    if not colon or len(secret) > 72:  # bcrypt 5 raises past 72 bytes: refuse
        return None
    stored = USERS.get(username, DUMMY_HASH)  # the same bcrypt work for unknown users
    if bcrypt.checkpw(secret, stored) and username in USERS:
        return username  # the user name and the password, checked together
    return None


def basic_auth(view):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        usage = get_usage(request, **FAILED_LOGINS)  # counts failures only, below
        if usage["count"] >= usage["limit"]:  # before any bcrypt work
            response = JsonResponse({"error": "too many failed logins"}, status=429)
            response["Retry-After"] = str(max(1, usage["time_left"]))
            return response
        user = authenticated_user(request.headers.get("Authorization", ""))
        if user is None:
            get_usage(request, increment=True, **FAILED_LOGINS)
            # one answer for every failure (unknown user, wrong password, malformed header)
            response = JsonResponse({"error": "invalid credentials"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="api", charset="UTF-8"'
            return response
        request.api_user = user
        return view(request, *args, **kwargs)

    return checked


@basic_auth
def data(request):
    return JsonResponse({"user": request.api_user, "items": [1, 2, 3]})


urlpatterns = [path("api/data", data)]
app = get_wsgi_application()
