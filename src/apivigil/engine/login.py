"""From what the user supplied to what each request sends: login flows and API-key placement.

`-u USER:PASSWORD` and `--identity NAME=USER:PASSWORD` are HTTP Basic unless a login flow is
known: `--login PATH` (a POST on the target; JSON or form as the spec's request body says, or
`--login-body`), or else an OAuth2 password flow the spec declares (`tokenUrl`). Each identity
then logs in once, and its requests carry the token (or session cookie) the login answered,
renewed by the probe client when it expires. `apikey:KEY` is placed where the spec's apiKey
scheme says (header, query or cookie).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from apivigil.checks.target import Endpoint, Target
from apivigil.core.config import Identity, ScanOptions
from apivigil.http.client import ProbeClient
from apivigil.http.login import LoginFlow, LoginSession, log_in
from apivigil.spec.model import ApiSpec, JsonObject

USER_FIELDS = ("username", "user_name", "userName", "user", "email", "login", "name")
PASSWORD_FIELDS = ("password", "passwd", "pass", "pwd")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_RENEWALS = 5


def login_flow(options: ScanOptions, target: Target, spec: ApiSpec | None,
               notice: Callable[[str], None]) -> LoginFlow | None:
    """The login to use: --login, else the spec's OAuth2 password flow, else None (Basic)."""
    login = options.login
    if login.path is not None:
        url = target.origin(target.scheme) + login.path
        body_format, user_field, password_field = _body_shape(_login_endpoint(target, url))
        if login.body_template is not None:
            body_format = "json" if login.body_template.lstrip().startswith("{") else "form"
        return LoginFlow(url, body_format, user_field, password_field,
                         template=login.body_template, token_field=login.token_field)
    if spec is None:
        return None
    for scheme in spec.security_schemes.values():
        if scheme.type != "oauth2" or not scheme.token_url:
            continue
        url = _resolve(target, spec, scheme.token_url)
        if urlsplit(url).hostname != target.host:
            notice(f"the spec's OAuth2 password flow ({scheme.name}) has its tokenUrl on "
                   f"another host; not used (apivigil stays on {target.host})")
            continue
        template = login.body_template  # e.g. a client_id the token endpoint also wants
        return LoginFlow(url, "json" if template and template.lstrip().startswith("{")
                         else "form", "username", "password",
                         extra_fields=(("grant_type", "password"),),
                         template=template, token_field=login.token_field,
                         source=f"the spec's OAuth2 password flow {scheme.name!r}")
    return None


def _resolve(target: Target, spec: ApiSpec, token_url: str) -> str:
    """tokenUrl may be absolute, host-relative or relative to the API's base path."""
    if "://" in token_url:
        parts = urlsplit(token_url)
        if parts.hostname != target.host:
            return token_url
        return target.origin(target.scheme) + (parts.path or "/")
    if token_url.startswith("/"):
        return target.origin(target.scheme) + token_url
    base = target.base_path or spec.base_path
    return target.origin(target.scheme) + base + "/" + token_url


def _login_endpoint(target: Target, url: str) -> Endpoint | None:
    path = urlsplit(url).path
    return next((e for e in target.endpoints
                 if e.method == "POST" and urlsplit(e.url).path == path), None)


def _body_shape(endpoint: Endpoint | None) -> tuple[str, str, str]:
    """(json|form, user field, password field) from the spec's request body, if declared."""
    body: JsonObject = (endpoint.operation.request_body or {}) if endpoint and \
        endpoint.operation else {}
    content = body.get("content") if isinstance(body.get("content"), dict) else {}
    assert isinstance(content, dict)
    media = [str(m).split(";")[0].strip().lower() for m in content]
    body_format = "form" if media and not any("json" in m for m in media) and any(
        m in _FORM_TYPES for m in media) else "json"
    properties: list[str] = []
    for value in content.values():
        schema = value.get("schema") if isinstance(value, dict) else None
        if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
            properties = [str(p) for p in schema["properties"]]
            break
    return (body_format, _pick(properties, USER_FIELDS, "username"),
            _pick(properties, PASSWORD_FIELDS, "password"))


def _pick(properties: list[str], wanted: tuple[str, ...], default: str) -> str:
    lowered = {p.lower(): p for p in properties}
    for name in wanted:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return default


def place_api_key(identity: Identity, spec: ApiSpec | None,
                  notice: Callable[[str], None]) -> Identity:
    """`apikey:KEY` goes where the spec's apiKey scheme says; X-API-Key without one."""
    if identity.api_key is None:
        return identity
    scheme = next((s for s in (spec.security_schemes.values() if spec else ())
                   if s.type == "apiKey" and s.parameter_name), None)
    key = identity.api_key
    if scheme is None or scheme.parameter_name is None:
        notice(f"identity {identity.name!r}: no apiKey scheme in the spec; the key is sent "
               "as the X-API-Key header (use 'Header-Name: KEY' to name another header)")
        return replace(identity, api_key=None, header=("X-API-Key", key))
    if scheme.location == "query":
        return replace(identity, api_key=None, query=(scheme.parameter_name, key))
    if scheme.location == "cookie":
        return replace(identity, api_key=None, header=("Cookie", f"{scheme.parameter_name}={key}"))
    return replace(identity, api_key=None, header=(scheme.parameter_name, key))


def log_in_identities(client: ProbeClient, flow: LoginFlow,
                      identities: tuple[Identity, ...]) -> tuple[Identity, ...]:
    """Log every USER:PASSWORD identity in; its requests then carry the issued credential."""
    client.login_urls.add(flow.url.split("?", 1)[0])
    out = []
    for identity in identities:
        if identity.credentials is None or identity.header is not None \
                or identity.query is not None:
            out.append(identity)
            continue
        issued, answer = log_in(client, flow, identity.name, identity.credentials)
        client.add_session(LoginSession(identity.name, flow, identity.credentials, issued,
                                        answer=answer, max_renewals=MAX_RENEWALS))
        out.append(replace(identity, header=issued.header, issued_by=flow.label))
    return tuple(out)


def session_notices(client: ProbeClient) -> list[str]:
    """What the report says about logins during the scan: renewals and renewals that failed."""
    lines: list[str] = []
    for session in client.sessions:
        summary = session.summary()
        if summary:
            lines.append(summary)
        lines.extend(session.events)
    return lines
