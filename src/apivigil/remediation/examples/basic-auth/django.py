"""HTTP Basic done right in Django, as one file (pip install django bcrypt).

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
    DEBUG=False,  # never True in production: its error pages show settings and code
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    ALLOWED_HOSTS=os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(","),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.security.SecurityMiddleware"],
)

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
        user = authenticated_user(request.headers.get("Authorization", ""))
        if user is None:
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
