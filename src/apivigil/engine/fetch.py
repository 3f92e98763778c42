"""The one spec fetcher of scan (`--spec URL`) and audit: streamed, capped, scoped.

A spec (or a file its `$ref`s point to) is read in chunks and abandoned as soon as it passes
`MAX_SPEC_BYTES` or takes longer than the deadline (a hostile server that trickles bytes);
references are followed only on the host the spec came from. TLS trust is the caller's
(`--cacert`, `--insecure`); proxies from the environment are ignored.

A spec behind authentication (an internal API's) answers 401/403: it is fetched once more with
the scan's credential (`SpecCredential`), and only to the target's own host over https:// (http://
with --allow-cleartext-credentials), never through a redirect, so a spec URL cannot lure the key
to another server.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from apivigil.core.errors import SpecError
from apivigil.spec.loader import MAX_SPEC_BYTES

REFUSED = (401, 403)  # the answers after which a spec is asked for with the credential
NO_CREDENTIAL = ("it needs authentication: a scan given the API's credential (-u, --identity "
                 "or -H) fetches it with it from the target over https://")


@dataclass(frozen=True)
class SpecCredential:
    """The scan's credential, for a spec that refuses anonymous clients, and where it may go."""

    headers: Mapping[str, str] = field(repr=False)  # the primary identity's, secret -H headers
    host: str  # the scan target's host: the credential goes to no other
    allow_cleartext: bool = False  # --allow-cleartext-credentials

    @property
    def names(self) -> str:
        """The header names, for notices (never the values)."""
        return ", ".join(sorted(self.headers))

    def refusal(self, url: str) -> str | None:
        """Why the credential must not be sent to `url`; None when it may."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host != self.host:
            return f"{host} is not the target's host {self.host}"
        if parts.scheme != "https" and not self.allow_cleartext:
            return "the spec URL is cleartext http:// (pass --allow-cleartext-credentials)"
        return None


def withheld(credential: SpecCredential | None, url: str) -> str | None:
    """Why a spec URL that refused anonymous clients is not asked again with the credential;
    None when it is."""
    if credential is None:
        return NO_CREDENTIAL
    why = credential.refusal(url)
    return None if why is None else f"the credential was not sent: {why}"


class SpecFetcher:
    """`fetch(url) -> text` for `spec.loader.load_spec`; use as a context manager.
    `credentialed` lists the URLs (and their first answer) that needed the credential, for the
    scan's notice."""

    def __init__(self, source: str, ssl_context: ssl.SSLContext | bool, timeout: float,
                 max_bytes: int = MAX_SPEC_BYTES,
                 credential: SpecCredential | None = None) -> None:
        self.host = urlsplit(source).hostname if "://" in source else None
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.credential = credential
        self.credentialed: list[tuple[str, int]] = []
        # no redirect is followed (httpx's default, said here): not with the credential
        self._http = httpx.Client(verify=ssl_context, timeout=timeout, trust_env=False,
                                  follow_redirects=False)

    def __call__(self, url: str) -> str:
        if self.host is not None and urlsplit(url).hostname != self.host:
            raise SpecError(f"refused to fetch {url}: references are followed only on the "
                            f"spec's own host {self.host}")
        deadline = time.monotonic() + max(30.0, self.timeout * 3)  # a spec that trickles in
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code not in REFUSED:
                    return self._read(url, response, deadline)
            return self._with_credential(url, response.status_code, deadline)
        except httpx.HTTPError as exc:
            raise SpecError(f"cannot fetch spec {url}: {exc}") from None

    def _with_credential(self, url: str, status: int, deadline: float) -> str:
        """The second and last try of a refused spec: with the credential, where it may go."""
        refused = f"cannot fetch spec {url}: HTTP {status}"
        why_not = withheld(self.credential, url)
        if why_not is not None or self.credential is None:
            raise SpecError(f"{refused} ({why_not})")
        with self._http.stream("GET", url, headers=dict(self.credential.headers)) as response:
            if response.status_code != 200:
                raise SpecError(f"{refused}, and HTTP {response.status_code} with the "
                                f"credential ({self.credential.names})")
            text = self._read(url, response, deadline)
        self.credentialed.append((url, status))
        return text

    def _read(self, url: str, response: httpx.Response, deadline: float) -> str:
        if response.status_code != 200:
            raise SpecError(f"cannot fetch spec {url}: HTTP {response.status_code}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                raise SpecError(f"spec {url} is larger than {self.max_bytes // 2**20} MiB")
            if time.monotonic() > deadline:
                raise SpecError(f"cannot fetch spec {url}: it arrives too slowly")
        return b"".join(chunks).decode("utf-8", errors="replace")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpecFetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
