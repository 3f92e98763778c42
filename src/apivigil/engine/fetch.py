"""The one spec fetcher of scan (`--spec URL`) and audit: streamed, capped, scoped.

A spec (or a file its `$ref`s point to) is read in chunks and abandoned as soon as it passes
`MAX_SPEC_BYTES` or takes longer than the deadline (a hostile server that trickles bytes);
references are followed only on the host the spec came from. TLS trust is the caller's
(`--cacert`, `--insecure`); proxies from the environment are ignored.
"""

from __future__ import annotations

import ssl
import time
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from apivigil.core.errors import SpecError
from apivigil.spec.loader import MAX_SPEC_BYTES


class SpecFetcher:
    """`fetch(url) -> text` for `spec.loader.load_spec`; use as a context manager."""

    def __init__(self, source: str, ssl_context: ssl.SSLContext | bool, timeout: float,
                 max_bytes: int = MAX_SPEC_BYTES) -> None:
        self.host = urlsplit(source).hostname if "://" in source else None
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._http = httpx.Client(verify=ssl_context, timeout=timeout, trust_env=False)

    def __call__(self, url: str) -> str:
        if self.host is not None and urlsplit(url).hostname != self.host:
            raise SpecError(f"refused to fetch {url}: references are followed only on the "
                            f"spec's own host {self.host}")
        deadline = time.monotonic() + max(30.0, self.timeout * 3)  # a spec that trickles in
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise SpecError(f"cannot fetch spec {url}: HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SpecError(f"spec {url} is larger than "
                                        f"{self.max_bytes // 2**20} MiB")
                    if time.monotonic() > deadline:
                        raise SpecError(f"cannot fetch spec {url}: it arrives too slowly")
        except httpx.HTTPError as exc:
            raise SpecError(f"cannot fetch spec {url}: {exc}") from None
        return b"".join(chunks).decode("utf-8", errors="replace")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpecFetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
