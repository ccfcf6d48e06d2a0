"""TLS contexts for the HTTPS socket, from WireMock's keystore flags, PEM files or nothing.

WireMock users arrive with a keystore (`--https-keystore`, PKCS12 or Java's JKS), so the same
flags and the same default passwords ("password") work here. Python's `ssl` reads only PEM, so a
PKCS12 keystore is converted in memory with `cryptography`; JKS, a Java-only format, is refused
with the `keytool` command that converts it. With neither a keystore nor `--https-cert`, a CA and
a server certificate for the listening names are generated at start: never a private key shipped
in the package, and the CA can be fetched (`GET /__admin/certs/ca.pem`) and trusted by a client.

With `--https-require-client-cert` a client without a certificate the truststore vouches for
fails the handshake. As in WireMock every certificate in the truststore is trusted, the ones of
key entries included.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mockserver.errors import TlsError
from mockserver.settings import TlsOptions

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
GENERATED_VALIDITY = datetime.timedelta(days=365)
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerCertificate:
    """What the HTTPS socket presents, as PEM; `ca_pem` only when it was generated here."""

    chain_pem: bytes  # the server certificate first, then any intermediates
    key_pem: bytes  # unencrypted: it only ever lives in this process's memory
    ca_pem: bytes | None = None

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.chain_pem)


def server_context(tls: TlsOptions, names: Iterable[str] = ()) -> tuple[ssl.SSLContext,
                                                                        ServerCertificate]:
    """The context for the HTTPS socket and the certificate it presents.

    `names` (host names or IP addresses) go into a generated certificate besides localhost.
    """
    certificate = server_certificate(tls, names)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # no system CAs: only the truststore's
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    load_chain(context, certificate)
    if tls.require_client_cert:
        trusted = trusted_certificates(tls)
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=trusted.decode("ascii"))
    return context, certificate


def server_certificate(tls: TlsOptions, names: Iterable[str] = ()) -> ServerCertificate:
    if tls.keystore is not None and (tls.cert is not None or tls.key is not None):
        raise TlsError("give either --https-keystore or --https-cert/--https-key, not both")
    if tls.keystore is not None:
        return load_keystore(tls.keystore, tls.keystore_type, tls.keystore_password,
                             tls.key_manager_password)
    if tls.cert is not None or tls.key is not None:
        if tls.cert is None or tls.key is None:
            raise TlsError("--https-cert and --https-key go together")
        return load_pem(tls.cert, tls.key)
    return generate((*DEFAULT_NAMES, *names))


def load_chain(context: ssl.SSLContext, certificate: ServerCertificate) -> None:
    """`ssl` loads keys from files only: written to a private temporary folder and removed."""
    with tempfile.TemporaryDirectory(prefix="mockserver-tls-") as folder:
        cert_file = Path(folder, "cert.pem")
        key_file = Path(folder, "key.pem")
        cert_file.write_bytes(certificate.chain_pem)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(certificate.key_pem)
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as exc:
            raise TlsError(f"the certificate and key do not go together: {exc}") from exc


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TlsError(f"{what} {path}: {exc.strerror or exc}") from exc


def _refuse_java_only(path: Path, data: bytes, flag: str) -> None:
    if data.startswith((JKS_MAGIC, JCEKS_MAGIC)):
        kind = "JKS" if data.startswith(JKS_MAGIC) else "JCEKS"
        raise TlsError(
            f"{flag} {path} is a Java {kind} keystore, which only Java reads; convert it to "
            f"PKCS12 once with: keytool -importkeystore -srcstoretype {kind} -srckeystore {path}"
            f" -deststoretype PKCS12 -destkeystore {path.with_suffix('.p12')} (then pass "
            f"{path.with_suffix('.p12')} and --keystore-type PKCS12)")


def _pkcs12(path: Path, data: bytes, passwords: Iterable[str],
            flag: str) -> pkcs12.PKCS12KeyAndCertificates:
    errors: list[str] = []
    for password in dict.fromkeys(passwords):
        try:
            return pkcs12.load_pkcs12(data, password.encode("utf-8"))
        except ValueError as exc:
            errors.append(str(exc))
    raise TlsError(f"{flag} {path}: not a PKCS12 keystore this password opens ({errors[-1]})")


def load_keystore(path: Path, store_type: str, password: str,
                  key_password: str) -> ServerCertificate:
    """The first key entry of a PKCS12 keystore, whatever `--keystore-type` says: Java 9+
    reads PKCS12 under the JKS type too, so WireMock users often pass a .p12 without it."""
    data = _read(path, "--https-keystore")
    _refuse_java_only(path, data, "--https-keystore")
    if store_type.upper() not in ("JKS", "PKCS12", "PKCS#12", "P12"):
        raise TlsError(f"--keystore-type {store_type}: only PKCS12 keystores can be read "
                       "(or JKS converted to PKCS12 with keytool)")
    bundle = _pkcs12(path, data, (password, key_password), "--https-keystore")
    if bundle.key is None or bundle.cert is None:
        raise TlsError(f"--https-keystore {path}: holds no private key entry")
    key_pem = bundle.key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    chain = [bundle.cert.certificate, *(c.certificate for c in bundle.additional_certs)]
    return ServerCertificate(_pem(chain), key_pem)


def load_pem(cert: Path, key: Path) -> ServerCertificate:
    chain_pem = _read(cert, "--https-cert")
    key_pem = _read(key, "--https-key")
    try:
        x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise TlsError(f"--https-cert {cert}: not a PEM certificate ({exc})") from exc
    try:
        serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise TlsError(f"--https-key {key}: not an unencrypted PEM private key ({exc})") from exc
    return ServerCertificate(chain_pem, key_pem)


def trusted_certificates(tls: TlsOptions) -> bytes:
    """PEM of every certificate the truststore holds (PKCS12, or PEM as a convenience)."""
    if tls.truststore is None:
        raise TlsError("--https-require-client-cert needs --https-truststore (the "
                       "certificates that client certificates are checked against)")
    data = _read(tls.truststore, "--https-truststore")
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            return _pem(x509.load_pem_x509_certificates(data))
        except ValueError as exc:
            raise TlsError(f"--https-truststore {tls.truststore}: {exc}") from exc
    _refuse_java_only(tls.truststore, data, "--https-truststore")
    bundle = _pkcs12(tls.truststore, data, (tls.truststore_password,), "--https-truststore")
    certs = [c.certificate for c in ((bundle.cert,) if bundle.cert else ())]
    certs += [c.certificate for c in bundle.additional_certs]
    if not certs:
        raise TlsError(f"--https-truststore {tls.truststore}: holds no certificate")
    return _pem(certs)


def _pem(certs: Iterable[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _subject_names(names: Iterable[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in dict.fromkeys(n for n in names if n and n not in ("0.0.0.0", "::")):
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def generate(names: Iterable[str] = DEFAULT_NAMES) -> ServerCertificate:
    """A throwaway CA and a server certificate it signs for `names` (EC P-256: fast to make)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockserver"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "mockserver throwaway CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(_subject_names(names)), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return ServerCertificate(_pem([leaf]), key_pem, ca_pem=_pem([ca]))


def client_context(ca_pem: bytes) -> ssl.SSLContext:
    """A client context that trusts `ca_pem` only: what a test uses to call the server."""
    return ssl.create_default_context(cadata=ca_pem.decode("ascii"))
