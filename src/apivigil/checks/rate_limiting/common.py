"""Remediation text the rate limiting checks share."""

from __future__ import annotations

from apivigil.core.models import Remediation, flask_only

LIMITER = """\
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# Behind exactly one reverse proxy: trust one X-Forwarded-For hop, no more.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
limiter = Limiter(get_remote_address, app=app, storage_uri="redis://localhost:6379")

@app.get("/api/login")
@limiter.limit("10 per minute")       # per client address the client cannot forge
@auth.login_required
def login():
    ...
"""

REMEDIATION = Remediation(
    summary="Throttle failed logins per client address (and per account): answer 429 with "
    "Retry-After once a small number of failures is reached, keyed on an address the client "
    "cannot forge.",
    examples=flask_only(LIMITER),
    references=(
        "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
        "https://flask-limiter.readthedocs.io/",
    ),
)
