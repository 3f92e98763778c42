"""A real MCP client session (the official SDK's stdio client) with `apivigil mcp` started as
a subprocess: it lists the tools, scans the demo API with a credential given by reference,
and uses history, diff, explain and audit. No answer contains the credential."""

from __future__ import annotations

import json
import os
import sys

import anyio

from apivigil.demo.apps import DEMO_PASSWORD, DEMO_USER
from apivigil.demo.server import serve_demo


async def _session(db: str, env: dict[str, str], steps):  # type: ignore[no-untyped-def]
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from apivigil.cli import main; main()", "mcp", "--db", db],
        env=env)
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            return await steps(session)


def _payload(result) -> dict:  # type: ignore[no-untyped-def]
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content.get("result", result.structured_content)
    return json.loads(result.content[0].text)


def test_mcp_client_lists_tools_and_scans_the_demo(tmp_path):
    db = str(tmp_path / "history.db")
    env = {"APIVIGIL_CRED_DEMO": f"{DEMO_USER}:{DEMO_PASSWORD}",
           "AWS_SECRET_ACCESS_KEY": "not-for-apivigil-0123456789"}
    transcript: list[str] = []
    chosen: dict[str, str] = {}

    with serve_demo(hardened=False) as demo, serve_demo(hardened=True) as hardened:
        async def steps(session):  # type: ignore[no-untyped-def]
            listed = await session.list_tools()
            names = {tool.name for tool in listed.tools}
            scan_args = {"spec": demo.spec_url, "cacert": str(demo.ca_path),
                         "credential_env": "APIVIGIL_CRED_DEMO"}
            vulnerable = await session.call_tool("scan", {"url": demo.https_url, **scan_args})
            strong = await session.call_tool("scan", {
                "url": hardened.https_url, "spec": hardened.spec_url,
                "cacert": str(hardened.ca_path), "credential_env": "APIVIGIL_CRED_DEMO"})
            stolen = await session.call_tool("scan", {
                "url": demo.https_url, "credential_env": "AWS_SECRET_ACCESS_KEY"})
            literal = await session.call_tool("scan", {
                "url": demo.https_url, "credential_env": f"{DEMO_USER}:{DEMO_PASSWORD}"})
            too_big = await session.call_tool("scan", {"url": demo.https_url,
                                                       "max_requests": 100000})
            listed_scans = await session.call_tool("history", {})
            compared = await session.call_tool("diff", {})
            first = _payload(vulnerable)
            rule = next(f for f in first["findings"] if f["severity"] == "critical")
            chosen.update(rule)
            explained = await session.call_tool("explain", {"finding": rule["fingerprint"],
                                                            "scan_id": first["scan_id"]})
            by_check = await session.call_tool("explain", {"finding": "encryption.hsts"})
            audited = await session.call_tool("audit", {"spec": demo.spec_url,
                                                         "cacert": str(demo.ca_path)})
            for result in (vulnerable, strong, stolen, literal, too_big, listed_scans, compared,
                           explained, by_check, audited):
                transcript.append(json.dumps([c.model_dump() for c in result.content]))
                if result.structured_content:
                    transcript.append(json.dumps(result.structured_content))
            return (names, first, _payload(strong), stolen, literal, too_big,
                    _payload(listed_scans), _payload(compared), _payload(explained),
                    _payload(by_check), audited)

        (names, first, second, stolen, literal, too_big, scans, compared, explained, by_check,
         audited) = anyio.run(_session, db, env, steps)

    assert {"scan", "audit", "history", "diff", "explain"} <= names
    assert first["grade"] in "DF" and first["counts"]["critical"] >= 1
    assert second["grade"] in "AB"
    assert "authentication.broken-credential-check" not in first["checks_not_completed"]
    # Only APIVIGIL_CRED_* variables may be used, and never a literal credential.
    assert stolen.is_error and "APIVIGIL_CRED_" in stolen.content[0].text
    assert literal.is_error and "APIVIGIL_CRED_" in literal.content[0].text
    assert too_big.is_error and "max_requests" in too_big.content[0].text
    assert [s["id"] for s in scans["scans"]] == [second["scan_id"], first["scan_id"]]
    assert compared["grade_before"] == first["grade"] and compared["fixed"]
    assert explained["fix"] and explained["documentation"] and explained["id"] == chosen["id"]
    assert by_check["check"] == "encryption.hsts" and "HSTS" in by_check["documentation"]
    assert not audited.is_error
    assert _payload(audited)["requests"] == 0
    everything = "\n".join(transcript)
    assert DEMO_PASSWORD not in everything
    assert "not-for-apivigil" not in everything
