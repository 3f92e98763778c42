"""HTTPS only, with HSTS, in Django, as one file (pip install django).

Django's SecurityMiddleware does both. Best done at the proxy; this is the same in the app.
In a project, the settings go to settings.py.
"""

import os
import secrets

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
    SECURE_SSL_REDIRECT=True,  # a permanent redirect for every http:// request
    # Where it sends clients: without this, the same host and port as the http:// request,
    # which is wrong whenever HTTPS is not on 443. Set the host:port clients reach HTTPS on.
    SECURE_SSL_HOST=os.environ.get("HTTPS_HOST"),  # e.g. "api.example.com:8443"
    SECURE_HSTS_SECONDS=31536000,  # a year; sent on HTTPS answers only
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    # Behind one reverse proxy that sets X-Forwarded-Proto (and strips it from clients):
    # SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)


def data(request):
    return JsonResponse({"items": [1, 2, 3]})


urlpatterns = [path("api/data", data)]
app = get_wsgi_application()
