"""TLS configuration of the HTTPS port: protocol versions, cipher suites, known TLS flaws.

An API's Basic credentials are only as safe as the weakest TLS setting a client can be pushed
into. The facts come from one sslyze scan of the target's HTTPS port (see `tlsfacts.py`); this
module only judges them. Rules (one finding per rule, evidence lists what was accepted):

* protocols: SSL 2.0 / SSL 3.0 critical; TLS 1.0 high; TLS 1.1 medium; no TLS 1.3 info;
* cipher suites: NULL, anonymous (no server authentication), EXPORT and single DES high;
  RC4 and 3DES (SWEET32) medium; CBC-mode suites (not in Mozilla's intermediate profile,
  Lucky13-style padding oracles) low;
* forward secrecy: medium when no accepted suite has an ephemeral key exchange, low when
  some accepted suites use static RSA key exchange;
* flaws sslyze tests: Heartbleed critical; ROBOT high (strong oracle) or medium (weak);
  OpenSSL CCS injection high; no secure renegotiation (CVE-2009-3555) high; TLS compression
  (CRIME) medium; client-initiated renegotiation (a DoS lever) low; no TLS_FALLBACK_SCSV
  medium when versions older than TLS 1.2 are accepted (downgrade), otherwise not reported.

Connections: one sslyze scan, at most 5 parallel handshakes, only to the target's host and
HTTPS port; no HTTP request is sent.
"""

from __future__ import annotations

from collections.abc import Iterator

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.encryption.tlsfacts import TlsFacts, tls_facts
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

# The TLS 1.2 suites of Mozilla's intermediate profile as an OpenSSL cipher string, what
# uvicorn's --ssl-ciphers and gunicorn's --ciphers take (TLS 1.3 suites, all AEAD, are not
# affected). Python's default list, which both use unless told, also accepts CBC suites; its
# default minimum version is already TLS 1.2.
PYTHON_SERVER_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"

# Text only: the fix is a setting of whatever ends TLS (a proxy, a load balancer, the ASGI or
# WSGI server), not code in the Flask or FastAPI app, so there is no framework example.
REMEDIATION = Remediation(
    summary=(
        "Offer TLS 1.2 and 1.3 only, with AEAD suites and ECDHE key exchange (Mozilla's "
        "intermediate profile), and keep the TLS library patched. Set it where TLS ends: at a "
        "proxy or load balancer, in its TLS policy (nginx: `ssl_protocols TLSv1.2 TLSv1.3;` "
        "with the `ssl_ciphers` list from ssl-config.mozilla.org); when uvicorn or gunicorn "
        f"serves HTTPS itself, `--ssl-ciphers {PYTHON_SERVER_CIPHERS}` (uvicorn) or "
        f"`--ciphers {PYTHON_SERVER_CIPHERS}` (gunicorn), since Python's default list also "
        "accepts CBC suites."
    ),
    references=(
        "https://ssl-config.mozilla.org/",
        "https://wiki.mozilla.org/Security/Server_Side_TLS",
        "https://www.uvicorn.org/settings/#https",
        "https://docs.gunicorn.org/en/stable/settings.html#ciphers",
        "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
    ),
)

PROTOCOL_RULES: dict[str, tuple[str, Severity, str]] = {
    "SSL 2.0": ("tls-sslv2", Severity.CRITICAL, "SSL 2.0 is broken (DROWN); any client "
                "pushed onto it exposes its traffic, credentials included."),
    "SSL 3.0": ("tls-sslv3", Severity.CRITICAL, "SSL 3.0 is broken (POODLE): an attacker "
                "who forces a downgrade can decrypt cookies and Authorization headers."),
    "TLS 1.0": ("tls-tls10", Severity.HIGH, "TLS 1.0 is deprecated (RFC 8996): CBC "
                "weaknesses (BEAST) and SHA-1/MD5 handshakes; PCI DSS forbids it."),
    "TLS 1.1": ("tls-tls11", Severity.MEDIUM, "TLS 1.1 is deprecated (RFC 8996) and offers "
                "no AEAD suites."),
}

# (rule, title, severity, why), reported in this order, worst first
CIPHER_RULES: tuple[tuple[str, str, Severity, str], ...] = (
    ("tls-cipher-null", "NULL cipher suites accepted", Severity.HIGH,
     "NULL suites encrypt nothing: the traffic, Basic credentials included, is cleartext."),
    ("tls-cipher-anonymous", "Anonymous cipher suites accepted", Severity.HIGH,
     "anonymous suites do not authenticate the server, so anyone on the path can pose as it."),
    ("tls-cipher-export", "EXPORT cipher suites accepted", Severity.HIGH,
     "EXPORT suites use 40/56-bit keys, breakable in hours (FREAK, Logjam)."),
    ("tls-cipher-des", "DES cipher suites accepted", Severity.HIGH,
     "single DES has a 56-bit key, brute-forced in a day."),
    ("tls-cipher-rc4", "RC4 cipher suites accepted", Severity.MEDIUM,
     "RC4 has biases that recover repeated secrets such as cookies and Authorization headers "
     "(RFC 7465 forbids it)."),
    ("tls-cipher-3des", "3DES cipher suites accepted", Severity.MEDIUM,
     "3DES has a 64-bit block: long connections leak plaintext (SWEET32)."),
    ("tls-cipher-cbc", "CBC-mode cipher suites accepted", Severity.LOW,
     "CBC-mode suites are outside Mozilla's intermediate profile and have a history of "
     "padding-oracle attacks (Lucky13); prefer AEAD (GCM, ChaCha20-Poly1305)."),
)


def cipher_class(name: str) -> str | None:
    """The rule a suite falls under (its worst weakness), or None for a modern suite."""
    upper = name.upper()
    if "_NULL_" in upper or upper.endswith("_NULL") or "WITH_NULL" in upper:
        return "tls-cipher-null"
    if "_ANON_" in upper:
        return "tls-cipher-anonymous"
    if "EXPORT" in upper:
        return "tls-cipher-export"
    if "3DES" in upper or "DES_EDE" in upper or "DES_192" in upper:
        return "tls-cipher-3des"
    if "_DES" in upper:
        return "tls-cipher-des"
    if "RC4" in upper:
        return "tls-cipher-rc4"
    if "_CBC" in upper:
        return "tls-cipher-cbc"
    return None


def forward_secret(name: str) -> bool:
    """TLS 1.3 suites and (EC)DHE key exchange give forward secrecy; static RSA/DH do not."""
    upper = name.upper()
    # anonymous (EC)DH is ephemeral too; its lack of authentication is its own rule
    return "_WITH_" not in upper or "DHE_" in upper or "_ANON_" in upper


class TlsConfiguration(Check):
    meta = CheckMeta(
        id="encryption.tls",
        title="TLS protocol versions, cipher suites and known TLS flaws",
        category=Category.ENCRYPTION,
        cwe=(326, 327, 126, 200, 203, 400, 757),  # each finding carries its own subset
        owasp=(Owasp.API8,),
        severity=Severity.CRITICAL,
        sends="one sslyze scan of the HTTPS port (TLS handshakes only, at most 5 at a time); "
        "no HTTP request",
        needs_https=True,
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        facts = tls_facts(ctx)
        origin = ctx.target.origin("https")
        yield from self._protocols(facts, origin)
        yield from self._ciphers(facts, origin)
        yield from self._flaws(facts, origin)

    def _finding(self, rule: str, title: str, severity: Severity, description: str,
                 origin: str, data: dict[str, str | list[str] | bool | None],
                 cwe: tuple[int, ...] | None = None, reproduce: str | None = None) -> Finding:
        if reproduce:
            data = {**data, "reproduce": reproduce}
        return self.finding(rule, title, severity=severity, description=description,
                            remediation=REMEDIATION, url=origin, data=data,
                            cwe=cwe or (326, 327),
                            summary=f"{title}: " + "; ".join(
                                f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                                for k, v in data.items()))

    def _protocols(self, facts: TlsFacts, origin: str) -> Iterator[Finding]:
        for protocol, (rule, severity, why) in PROTOCOL_RULES.items():
            suites = facts.accepted.get(protocol)
            if suites:
                yield self._finding(
                    rule, f"{protocol} accepted", severity,
                    f"The server at {origin} accepts {protocol} handshakes: {why}",
                    origin, {"protocol": protocol, "accepted_suites": list(suites)},
                    reproduce=facts.reproduce(protocol))
        if "TLS 1.3" in facts.accepted and not facts.accepted["TLS 1.3"]:
            yield self._finding(
                "tls-no-tls13", "TLS 1.3 not offered", Severity.INFO,
                f"The server at {origin} does not offer TLS 1.3, which removes legacy "
                "algorithms and encrypts more of the handshake.", origin,
                {"protocols": facts.protocols})

    def _ciphers(self, facts: TlsFacts, origin: str) -> Iterator[Finding]:
        by_rule: dict[str, list[tuple[str, str]]] = {}
        for protocol, suites in facts.accepted.items():
            for suite in suites:
                rule = cipher_class(suite)
                if rule is not None:
                    by_rule.setdefault(rule, []).append((protocol, suite))
        for rule, title, severity, why in CIPHER_RULES:
            if rule in by_rule:
                protocol, suite = by_rule[rule][-1]  # the newest protocol that accepts one
                yield self._finding(
                    rule, title, severity, f"The server at {origin} accepts suites where {why}",
                    origin, {"accepted_suites": [f"{p} {s}" for p, s in by_rule[rule]]},
                    reproduce=facts.reproduce(protocol, suite))
        all_suites = [(p, s) for p, suites in facts.accepted.items() for s in suites]
        static_pairs = [(p, s) for p, s in all_suites if not forward_secret(s)]
        static = [f"{p} {s}" for p, s in static_pairs]
        if static:
            none_fs = len(static) == len(all_suites)
            yield self._finding(
                "tls-no-forward-secrecy",
                "No forward secrecy" if none_fs else "Suites without forward secrecy accepted",
                Severity.MEDIUM if none_fs else Severity.LOW,
                f"The server at {origin} accepts static RSA/DH key exchange: whoever obtains "
                "the server's private key later can decrypt recorded traffic, credentials "
                "included." + ("" if none_fs else " Clients that prefer them lose forward "
                               "secrecy."),
                origin, {"accepted_suites": static}, cwe=(327,),
                reproduce=facts.reproduce(*static_pairs[-1]))

    def _flaws(self, facts: TlsFacts, origin: str) -> Iterator[Finding]:
        if facts.heartbleed:
            yield self._finding(
                "tls-heartbleed", "Vulnerable to Heartbleed", Severity.CRITICAL,
                f"The server at {origin} answers malformed heartbeats with its own memory "
                "(CVE-2014-0160): private keys, session cookies and Authorization headers of "
                "other users leak.", origin, {"heartbleed": True}, cwe=(126,),
                reproduce=_sslyze_line(facts, "--heartbleed"))
        if facts.robot in ("VULNERABLE_STRONG_ORACLE", "VULNERABLE_WEAK_ORACLE"):
            strong = facts.robot == "VULNERABLE_STRONG_ORACLE"
            yield self._finding(
                "tls-robot", "Vulnerable to ROBOT", Severity.HIGH if strong else Severity.MEDIUM,
                f"The server at {origin} is a Bleichenbacher padding oracle for RSA key "
                "exchange (ROBOT): recorded sessions can be decrypted.", origin,
                {"robot": facts.robot}, cwe=(203, 327),
                reproduce=_sslyze_line(facts, "--robot"))
        if facts.ccs_injection:
            yield self._finding(
                "tls-ccs-injection", "Vulnerable to OpenSSL CCS injection", Severity.HIGH,
                f"The server at {origin} accepts an early ChangeCipherSpec (CVE-2014-0224): an "
                "attacker on the path can force weak keys and read the traffic.", origin,
                {"ccs_injection": True},
                reproduce=_sslyze_line(facts, "--openssl_ccs"))
        if facts.secure_renegotiation is False:
            yield self._finding(
                "tls-insecure-renegotiation", "Insecure TLS renegotiation", Severity.HIGH,
                f"The server at {origin} does not support secure renegotiation (RFC 5746, "
                "CVE-2009-3555): an attacker can prefix requests to a victim's session.",
                origin, {"secure_renegotiation": False}, cwe=(757,),
                reproduce=_sslyze_line(facts, "--reneg"))
        if facts.compression:
            yield self._finding(
                "tls-compression", "TLS compression enabled", Severity.MEDIUM,
                f"The server at {origin} compresses at the TLS layer (CRIME): secrets in "
                "requests, such as Authorization headers, can be recovered byte by byte.",
                origin, {"compression": True}, cwe=(200,),
                reproduce=_sslyze_line(facts, "--compression"))
        if facts.client_renegotiation_dos:
            yield self._finding(
                "tls-client-renegotiation", "Client-initiated renegotiation accepted",
                Severity.LOW,
                f"The server at {origin} lets clients renegotiate repeatedly, which costs the "
                "server far more CPU than the client (denial of service).", origin,
                {"client_renegotiation": True}, cwe=(400,),
                reproduce=_sslyze_line(facts, "--reneg"))
        old = [p for p in facts.protocols if p in PROTOCOL_RULES]
        if facts.fallback_scsv is False and old:
            yield self._finding(
                "tls-no-fallback-scsv", "No downgrade protection (TLS_FALLBACK_SCSV)",
                Severity.MEDIUM,
                f"The server at {origin} accepts {', '.join(old)} and ignores "
                "TLS_FALLBACK_SCSV, so an attacker can force clients down to them.", origin,
                {"protocols": facts.protocols}, cwe=(757,),
                reproduce=_sslyze_line(facts, "--fallback"))


def _sslyze_line(facts: TlsFacts, flag: str) -> str:
    host = f"[{facts.host}]" if ":" in facts.host else facts.host
    return f"python -m sslyze {flag} {host}:{facts.port}"
