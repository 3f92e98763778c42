"""The HTTPS certificate: would a careful client trust it, and for how long?

A client that meets a bad certificate either refuses the API or, far more often, is told to
turn verification off (`verify=False`, `curl -k`), after which anyone on the path can pose as
the API and collect the Basic credentials. The chain comes from sslyze (`tlsfacts.py`); trust is
judged with OpenSSL and the roots clients use (certifi's, plus `--cacert`), apart from the host
name and the dates, so each problem is reported once and by its own name. Rules:

* high: expired, not yet valid, host name not in the subjectAltName (the common name is
  ignored, as modern clients do), self-signed (unless trusted through `--cacert`), otherwise
  untrusted chain, a leaf or intermediate with an RSA/DSA key under 2048 bits (or EC under
  224);
* medium: a leaf or intermediate signed with SHA-1 or MD5;
* low: expires within 14 days; a leaf valid for more than 398 days (the CA/Browser Forum limit
  since 2020; such a certificate cannot be publicly trusted and is seldom rotated).

With -k the engine scans an untrusted server anyway; this check then names the trust problem.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from apivigil.checks.base import PHASE_PROBES, Check, CheckMeta, ScanContext
from apivigil.checks.encryption.tlsfacts import chain_trust_error, tls_facts
from apivigil.core.models import Category, Finding, Owasp, Remediation, Severity

EXPIRY_WARNING = timedelta(days=14)
MAX_LIFETIME = timedelta(days=398)

# Text only: the fix is the certificate and the server or proxy that presents it, not code
# in the Flask or FastAPI app, so there is no framework example.
REMEDIATION = Remediation(
    summary=(
        "Serve a certificate from a publicly trusted CA (e.g. Let's Encrypt, renewed "
        "automatically by certbot, Caddy or cert-manager) that names the API's host in "
        "subjectAltName, with an RSA 2048+ or ECDSA P-256 key, SHA-256 signatures and a "
        "lifetime of at most 398 days. Send the full chain, not the leaf alone: nginx "
        "`ssl_certificate fullchain.pem;`, uvicorn `--ssl-certfile fullchain.pem "
        "--ssl-keyfile privkey.pem`, gunicorn `--certfile fullchain.pem --keyfile "
        "privkey.pem`. Never tell clients to disable verification."
    ),
    references=(
        "https://cabforum.org/working-groups/server/baseline-requirements/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
        "https://letsencrypt.org/docs/",
    ),
)


def describe(cert: x509.Certificate) -> dict[str, str | list[str] | None]:
    """The parts of a certificate a user needs to recognise it (no key material)."""
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "subject_alt_names": [str(n) for n in alt_names(cert)],
        "key": key_description(cert),
        "signature": _hash_name(cert),
    }


def alt_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [*san.get_values_for_type(x509.DNSName),
            *(str(ip) for ip in san.get_values_for_type(x509.IPAddress))]


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching on subjectAltName only; one left-most wildcard label."""
    host = host.lower().rstrip(".")
    try:
        wanted_ip = ipaddress.ip_address(host)
    except ValueError:
        wanted_ip = None
    for name in alt_names(cert):
        if wanted_ip is not None:
            try:
                if ipaddress.ip_address(name) == wanted_ip:
                    return True
            except ValueError:
                continue
            continue
        pattern = name.lower().rstrip(".")
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host and host.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def key_description(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} ({key.key_size})"
    return type(key).__name__.replace("PublicKey", "")


def weak_key(cert: x509.Certificate) -> bool:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey):
        return key.key_size < 2048
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.key_size < 224
    return False


def self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):  # not its own issuer after all
        return False
    return True


def _hash_name(cert: x509.Certificate) -> str:
    algorithm = cert.signature_hash_algorithm
    return algorithm.name if algorithm is not None else "none"


class Certificate(Check):
    meta = CheckMeta(
        id="encryption.certificate",
        title="HTTPS certificate validity, trust, host name and strength",
        category=Category.ENCRYPTION,
        cwe=(295, 296, 297, 298, 324, 326, 328),  # each finding carries its own subset
        owasp=(Owasp.API8,),
        severity=Severity.HIGH,
        sends="one sslyze certificate scan and one TLS handshake to the HTTPS port; "
        "no HTTP request",
        needs_https=True,
        phase=PHASE_PROBES,
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        facts = tls_facts(ctx)
        if not facts.chain:
            reason = facts.errors.get("certificate_info", "no certificate received")
            raise RuntimeError(f"could not read the certificate chain: {reason}")
        leaf = facts.chain[0]
        origin = ctx.target.origin("https")
        now = datetime.now(UTC)
        info = describe(leaf)
        host = f"[{ctx.target.host}]" if ":" in ctx.target.host else ctx.target.host
        reproduce = (f"openssl s_client -connect {host}:{ctx.target.https_port} -servername "
                     f"{ctx.target.host} -showcerts </dev/null | openssl x509 -noout -text")

        def found(rule: str, title: str, severity: Severity, description: str,
                  cwe: tuple[int, ...] | None = None,
                  extra: dict[str, str | list[str] | None] | None = None) -> Finding:
            data = {**info, **(extra or {}), "reproduce": reproduce}
            return self.finding(rule, title, severity=severity, description=description,
                                remediation=REMEDIATION, url=origin, data=data,
                                cwe=cwe or (295,),
                                summary=f"{title}: subject {info['subject']}, issuer "
                                f"{info['issuer']}, valid {info['not_before']} to "
                                f"{info['not_after']}, names {info['subject_alt_names']}")

        if leaf.not_valid_after_utc < now:
            yield found("cert-expired", "Certificate expired", Severity.HIGH,
                        f"The certificate of {origin} expired on {info['not_after']}. Clients "
                        "either fail or are configured to skip verification, which lets "
                        "anyone on the path impersonate the API.", cwe=(298,))
        elif leaf.not_valid_before_utc > now:
            yield found("cert-not-yet-valid", "Certificate not yet valid", Severity.HIGH,
                        f"The certificate of {origin} is valid only from {info['not_before']}; "
                        "clients reject it until then.", cwe=(298,))
        elif leaf.not_valid_after_utc - now < EXPIRY_WARNING:
            yield found("cert-expires-soon", "Certificate expires within 14 days", Severity.LOW,
                        f"The certificate of {origin} expires on {info['not_after']}; renew it "
                        "(automatically) before clients start failing.", cwe=(298,))
        if not hostname_matches(leaf, ctx.target.host):
            yield found("cert-hostname-mismatch", "Certificate does not match the host name",
                        Severity.HIGH,
                        f"The certificate of {origin} is not issued for {ctx.target.host} "
                        f"(it names {info['subject_alt_names'] or 'no subjectAltName'}), so "
                        "verifying clients fail and others cannot tell the API from an "
                        "impostor.", cwe=(297,))
        trust_error = chain_trust_error(ctx.target.host, ctx.target.https_port,
                                        timeout=ctx.options.timeout, cacert=ctx.options.cacert)
        if trust_error is not None:
            if self_signed(leaf):
                yield found("cert-self-signed", "Self-signed certificate", Severity.HIGH,
                            f"The certificate of {origin} is self-signed and not trusted by "
                            "the system roots or --cacert: clients must disable verification "
                            "(or pin it), and an attacker's self-signed certificate looks the "
                            "same to them.", extra={"verify_error": trust_error})
            else:
                yield found("cert-untrusted", "Certificate chain not trusted", Severity.HIGH,
                            f"OpenSSL does not trust the chain served by {origin} "
                            f"({trust_error}) with the system roots"
                            + (" and --cacert" if ctx.options.cacert else "")
                            + ". Clients must disable verification to connect, which lets "
                            "anyone on the path impersonate the API.", cwe=(295, 296),
                            extra={"verify_error": trust_error})
        weak = [c for c in facts.chain if weak_key(c)]
        if weak:
            yield found("cert-weak-key", "Weak certificate key", Severity.HIGH,
                        f"{origin} serves certificates with weak keys "
                        f"({', '.join(key_description(c) for c in weak)}); RSA under 2048 bits "
                        "can be factored by a well-funded attacker, who can then impersonate "
                        "the API and decrypt non-forward-secret traffic.", cwe=(326,),
                        extra={"weak_keys": [f"{c.subject.rfc4514_string()}: "
                                             f"{key_description(c)}" for c in weak]})
        sha1 = [c for c in facts.chain if not self_signed(c) and isinstance(
            c.signature_hash_algorithm, hashes.SHA1 | hashes.MD5)]
        if sha1:
            yield found("cert-sha1-signature", "Certificate signed with SHA-1 or MD5",
                        Severity.MEDIUM,
                        f"{origin} serves certificates signed with a collision-prone hash "
                        f"({', '.join(_hash_name(c) for c in sha1)}); clients refuse them and "
                        "forged certificates become possible.", cwe=(328,),
                        extra={"weak_signatures": [f"{c.subject.rfc4514_string()}: "
                                                   f"{_hash_name(c)}" for c in sha1]})
        lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
        if lifetime > MAX_LIFETIME:
            yield found("cert-long-lifetime", "Certificate lifetime over 398 days", Severity.LOW,
                        f"The certificate of {origin} is valid for {lifetime.days} days; "
                        "publicly trusted certificates may not exceed 398 days, and long-lived "
                        "ones are rarely rotated when a key leaks.", cwe=(324,),
                        extra={"lifetime_days": str(lifetime.days)})
