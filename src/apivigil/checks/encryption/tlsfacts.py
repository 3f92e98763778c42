"""TLS facts about the target's HTTPS port, gathered once per scan and judged by the TLS checks.

sslyze's design, kept here: gathering (what the server accepts, as plain typed facts) is apart
from judging (severities, in `tls.py` and `certificate.py`). One sslyze `ServerScanRequest`
carries every scan command the selected TLS checks need, so sslyze runs them concurrently with
a per-server connection limit; the result is cached in the scan's shared cache, so the two
checks cost one sslyze scan between them.

Scope: sslyze (and the one OpenSSL handshake that judges trust) is pointed only at the
target's own host and its HTTPS port (`ctx.target.host`, `ctx.target.https_port`), with the
scan's `--timeout`. Trust is judged with the system's OpenSSL (certifi's roots plus `--cacert`),
like the clients the API serves, rather than sslyze's stricter RFC 5280 validator, which refuses
certificates that every TLS client accepts.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import certifi

from apivigil.checks.base import ScanContext
from apivigil.core.errors import ProbeError

if TYPE_CHECKING:  # sslyze and cryptography are imported when a TLS scan runs (start-up time)
    from cryptography import x509

# sslyze result attribute -> the label users know
PROTOCOLS: dict[str, str] = {
    "ssl_2_0_cipher_suites": "SSL 2.0",
    "ssl_3_0_cipher_suites": "SSL 3.0",
    "tls_1_0_cipher_suites": "TLS 1.0",
    "tls_1_1_cipher_suites": "TLS 1.1",
    "tls_1_2_cipher_suites": "TLS 1.2",
    "tls_1_3_cipher_suites": "TLS 1.3",
}
S_CLIENT_FLAGS = {"SSL 2.0": "-ssl2", "SSL 3.0": "-ssl3", "TLS 1.0": "-tls1",
                  "TLS 1.1": "-tls1_1", "TLS 1.2": "-tls1_2", "TLS 1.3": "-tls1_3"}
# sslyze `ScanCommand` values (the enum is imported only when a scan runs)
CONFIGURATION_COMMANDS = frozenset({
    *PROTOCOLS, "heartbleed", "robot", "openssl_ccs_injection", "session_renegotiation",
    "tls_compression", "tls_fallback_scsv",
})
CERTIFICATE_COMMANDS = frozenset({"certificate_info"})
# sslyze's default. On a loopback legacy server 3, 5, 8, 12 and 16 all took 1.2-1.5 s for the
# full scan (the server handshakes one at a time), so the gentler value is kept for real ones.
CONNECTIONS_PER_SERVER = 5
_NO_CHECK_TIME = 0x200000  # OpenSSL X509_V_FLAG_NO_CHECK_TIME


@dataclass(frozen=True)
class TlsFacts:
    """What the server accepted and how it behaved; None means 'not measured'."""

    host: str
    port: int
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # protocol -> suites
    heartbleed: bool | None = None
    robot: str | None = None
    ccs_injection: bool | None = None
    secure_renegotiation: bool | None = None
    client_renegotiation_dos: bool | None = None
    compression: bool | None = None
    fallback_scsv: bool | None = None
    chain: tuple[x509.Certificate, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # scan command -> why it failed
    openssl_names: dict[str, str] = field(default_factory=dict)  # IANA name -> OpenSSL name

    def reproduce(self, protocol: str | None = None, suite: str | None = None) -> str:
        """An `openssl s_client` line that shows the fact (the curl line of a TLS finding)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        line = f"openssl s_client -connect {host}:{self.port} -servername {self.host}"
        if protocol in S_CLIENT_FLAGS:
            line += " " + S_CLIENT_FLAGS[protocol]
        if suite is not None:
            name = self.openssl_names.get(suite, suite)
            line += f" -ciphersuites {name}" if protocol == "TLS 1.3" else \
                f" -cipher '{name}:@SECLEVEL=0'"
        elif protocol in ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1"):
            line += " -cipher 'ALL:@SECLEVEL=0'"  # a modern openssl refuses them otherwise
        return line + " </dev/null"

    @property
    def protocols(self) -> list[str]:
        """Protocol versions with at least one accepted suite, oldest first."""
        return [p for p in PROTOCOLS.values() if self.accepted.get(p)]


def _selected(ctx: ScanContext, check_id: str) -> bool:
    """Whether a check is part of this scan (same rule as `--checks` / `--skip-checks`)."""
    names = (check_id, "encryption")
    include, exclude = ctx.options.checks, ctx.options.skip_checks
    return (not include or any(n in include for n in names)) and not any(
        n in exclude for n in names)


def tls_facts(ctx: ScanContext) -> TlsFacts:
    """The facts for the selected TLS checks, from one sslyze scan shared by the scan."""
    commands: set[str] = set()
    if _selected(ctx, "encryption.tls"):
        commands |= CONFIGURATION_COMMANDS
    if _selected(ctx, "encryption.certificate"):
        commands |= CERTIFICATE_COMMANDS
    key = f"encryption.tls-facts:{ctx.target.host}:{ctx.target.https_port}"
    return ctx.cache.get_or_compute(
        key, lambda: scan_tls(ctx.target.host, ctx.target.https_port, frozenset(commands),
                              timeout=ctx.options.timeout, cacert=ctx.options.cacert))


def scan_tls(host: str, port: int, commands: frozenset[str], *, timeout: float,
             cacert: str | None = None) -> TlsFacts:
    """Run one sslyze scan of host:port and reduce its result to `TlsFacts`."""
    from cryptography.utils import CryptographyDeprecationWarning
    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.plugins.scan_commands import ScanCommand
    from sslyze.scanner.models import (
        ScanCommandsExtraArguments,
        ServerConnectivityStatusEnum,
        ServerScanRequest,
    )
    from sslyze.scanner.scanner import Scanner
    from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

    location = ServerNetworkLocation(hostname=host, port=port,
                                     ip_address=host if _is_ip(host) else None)
    extra = ScanCommandsExtraArguments(
        certificate_info=CertificateInfoExtraArgument(custom_ca_file=Path(cacert))
        if cacert and "certificate_info" in commands else None)
    request = ServerScanRequest(
        server_location=location,
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=host,
            network_timeout=max(1, round(timeout)),
            network_max_retries=1,
        ),
        scan_commands={ScanCommand(command) for command in commands},
        scan_commands_extra_arguments=extra,
    )
    scanner = Scanner(per_server_concurrent_connections_limit=CONNECTIONS_PER_SERVER)
    with warnings.catch_warnings():
        # sslyze loads bundled root stores holding certificates cryptography warns about.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        scanner.queue_scans([request])
        [result] = list(scanner.get_results())
    if result.connectivity_status != ServerConnectivityStatusEnum.COMPLETED:
        raise ProbeError(f"TLS scan of {host}:{port} could not connect: "
                         f"{result.connectivity_error_trace or 'no TLS handshake succeeded'}")
    return _facts(host, port, result.scan_result)


def _facts(host: str, port: int, scan: object) -> TlsFacts:
    from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum

    errors: dict[str, str] = {}

    def attempt(name: str) -> Any:
        value = getattr(scan, name)
        if value.status == ScanCommandAttemptStatusEnum.COMPLETED:
            return value.result
        if value.status == ScanCommandAttemptStatusEnum.ERROR:
            errors[name] = str(value.error_reason.value if value.error_reason else "error")
        return None

    accepted: dict[str, tuple[str, ...]] = {}
    openssl_names: dict[str, str] = {}
    for name, label in PROTOCOLS.items():
        suites = attempt(name)
        if suites is not None:
            accepted[label] = tuple(
                s.cipher_suite.name for s in suites.accepted_cipher_suites)
            openssl_names.update((s.cipher_suite.name, s.cipher_suite.openssl_name)
                                 for s in suites.accepted_cipher_suites)
    heartbleed = attempt("heartbleed")
    robot = attempt("robot")
    ccs = attempt("openssl_ccs_injection")
    reneg = attempt("session_renegotiation")
    compression = attempt("tls_compression")
    scsv = attempt("tls_fallback_scsv")
    cert = attempt("certificate_info")
    chain: tuple[x509.Certificate, ...] = ()
    if cert is not None and cert.certificate_deployments:
        chain = tuple(cert.certificate_deployments[0].received_certificate_chain)
    return TlsFacts(
        host=host,
        port=port,
        accepted=accepted,
        heartbleed=getattr(heartbleed, "is_vulnerable_to_heartbleed", None),
        robot=robot.robot_result.value if robot is not None else None,
        ccs_injection=getattr(ccs, "is_vulnerable_to_ccs_injection", None),
        secure_renegotiation=getattr(reneg, "supports_secure_renegotiation", None),
        client_renegotiation_dos=getattr(reneg, "is_vulnerable_to_client_renegotiation_dos",
                                         None),
        compression=getattr(compression, "supports_compression", None),
        fallback_scsv=getattr(scsv, "supports_fallback_scsv", None),
        chain=chain,
        errors=errors,
        openssl_names=openssl_names,
    )


def chain_trust_error(host: str, port: int, *, timeout: float, cacert: str | None) -> str | None:
    """Why OpenSSL does not trust the served chain (None when it does).

    Judged as clients judge it (certifi's roots plus --cacert) but apart from the host name
    and the validity dates, which the certificate check reports on their own.
    """
    context = ssl.create_default_context(cafile=certifi.where())
    if cacert:
        context.load_verify_locations(cafile=cacert)
    context.check_hostname = False
    context.verify_flags |= _NO_CHECK_TIME
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("ALL:@SECLEVEL=0")  # a weak key is judged apart, not as distrust
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=None if _is_ip(host) else host):
            return None
    except ssl.SSLCertVerificationError as exc:
        return exc.verify_message or str(exc)
    except (OSError, ssl.SSLError) as exc:
        raise ProbeError(f"TLS handshake with {host}:{port} failed: {exc}") from None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
