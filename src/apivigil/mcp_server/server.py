"""The MCP server: registers the tools of `tools` on the SDK's `MCPServer` and runs it on stdio.

Scans and audits run in a worker thread so the protocol stays responsive. An apivigil error
becomes a tool error with its one-line message (never a traceback, never a credential).
"""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from apivigil import __version__
from apivigil.core.errors import ApivigilError
from apivigil.mcp_server import tools

INSTRUCTIONS = (
    "apivigil scans HTTP APIs for security weaknesses and grades them A-F. Use `scan` only on "
    "APIs the user owns or may test. Credentials are never passed as values: give "
    "`credential_env`, the name of an environment variable of this server starting with "
    f"{tools.CREDENTIAL_PREFIX} that holds USER:PASSWORD. Scans send safe methods only."
)


def build(db: str | None) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("apivigil", version=__version__,
                                       instructions=INSTRUCTIONS)

    async def call(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            result: dict[str, Any] = function(*args, **kwargs)
            return result

        try:
            return await anyio.to_thread.run_sync(run)
        except ApivigilError as exc:
            raise ToolError(f"apivigil: error: {exc}") from None

    @server.tool()
    async def scan(url: str, spec: str | None = None, credential_env: str | None = None,
                   cacert: str | None = None, checks: list[str] | None = None,
                   max_requests: int = 600, max_duration: float = 120.0,
                   store: bool = True) -> dict[str, Any]:
        """Scan a live HTTP API (safe methods only, same limits as `apivigil scan`) and return
        its grade, score, findings and the checks that did not complete. `credential_env`
        names an environment variable (APIVIGIL_CRED_...) holding USER:PASSWORD; `checks`
        limits the scan to check ids or categories; the scan is stored in the history."""
        return await call(tools.scan, db, url=url, spec=spec, credential_env=credential_env,
                          cacert=cacert, checks=checks, max_requests=max_requests,
                          max_duration=max_duration, store=store)

    @server.tool()
    async def audit(spec: str, strict: bool = False,
                    cacert: str | None = None) -> dict[str, Any]:
        """Audit an OpenAPI 2.0/3.0/3.1 spec (file or URL; `cacert`: extra CA certificates)
        without sending any request to the API: weak or missing security declarations."""
        return await call(tools.audit, spec, strict=strict, cacert=cacert)

    @server.tool()
    async def history(target: str | None = None, limit: int = 20) -> dict[str, Any]:
        """List stored scans, newest first (of one target URL if given)."""
        return await call(tools.history, db, target=target, limit=limit)

    @server.tool()
    async def diff(before: int | None = None, after: int | None = None) -> dict[str, Any]:
        """Compare two stored scans by id (default: the two newest): new, fixed and unchanged
        findings and the grade drift."""
        return await call(tools.diff, db, before=before, after=after)

    @server.tool()
    async def explain(finding: str, scan_id: int | None = None) -> dict[str, Any]:
        """Explain a finding of a stored scan (its rule id or fingerprint, with scan_id) or a
        check or rule id: what it means, the evidence, how to fix it, the check's
        documentation."""
        return await call(tools.explain, db, finding=finding, scan_id=scan_id)

    return server


def run(db: str | None) -> None:
    """Serve on stdio until the client closes the connection."""
    build(db).run("stdio")
