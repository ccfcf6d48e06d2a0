"""HTTPS with WireMock's keystore flags, PEM files or a generated certificate, and client certs.

Certificates come from trustme CAs made per test; keystores are real PKCS12 files written with
`cryptography` (and with Java's keytool where it is installed); clients are `http.client` over
real TLS connections to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from mockserver.api import MockServer
from mockserver.errors import TlsError
from mockserver.serve.runner import ThreadedRunner
from mockserver.settings import ServerOptions, TlsOptions
from mockserver.stubs import parse_stub

PING = {"request": {"url": "/ping"}, "response": {"status": 200, "body": "pong"}}


def https_get(port: int, path: str, context: ssl.SSLContext) -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def plain_get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def client_trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@contextmanager
def serving(tmp_path: Path, **options: object) -> Iterator[ThreadedRunner]:
    (tmp_path / "mappings").mkdir(exist_ok=True)
    runner = ThreadedRunner(ServerOptions(host="127.0.0.1", port=0, root_dir=tmp_path,
                                          https_port=0, **options)).start()  # type: ignore[arg-type]
    try:
        runner.call(runner.state.stubs.add, parse_stub(PING))
        yield runner
    finally:
        runner.stop()


def write_keystore(path: Path, leaf: trustme.LeafCert, password: bytes = b"password") -> Path:
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
    chain = [x509.load_pem_x509_certificate(p.bytes()) for p in leaf.cert_chain_pems]
    data = pkcs12.serialize_key_and_certificates(
        b"server", key, chain[0], chain[1:],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(password))
    path.write_bytes(data)
    return path


def write_truststore(path: Path, *cas: trustme.CA) -> Path:
    certs = [x509.load_pem_x509_certificate(ca.cert_pem.bytes()) for ca in cas]
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, certs, serialization.BestAvailableEncryption(b"password"))
    path.write_bytes(data)
    return path


def test_generated_certificate_serves_https_trusted_through_its_ca(tmp_path: Path) -> None:
    """Without a keystore a certificate is made at start; its CA from the admin API verifies it."""
    with serving(tmp_path) as runner:
        assert runner.https_port is not None and runner.https_port != runner.port
        http_conn = http.client.HTTPConnection("127.0.0.1", runner.port, timeout=20)
        http_conn.request("GET", "/__admin/certs/ca.pem")
        ca_pem = http_conn.getresponse().read()
        http_conn.close()
        assert ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")
        context = ssl.create_default_context(cadata=ca_pem.decode())
        assert https_get(runner.https_port, "/ping", context) == (200, b"pong")
        status, body = https_get(runner.https_port, "/__admin/health", context)
        assert status == 200 and b"healthy" in body  # the admin API over HTTPS too
        status, body = https_get(runner.https_port, "/__admin/requests", context)
        (journalled,) = json.loads(body)["requests"]
        assert journalled["request"]["absoluteUrl"].startswith("https://")  # seen as TLS
        with pytest.raises(ssl.SSLCertVerificationError):
            https_get(runner.https_port, "/ping", ssl.create_default_context())


def test_pkcs12_keystore_with_wiremock_default_password(tmp_path: Path) -> None:
    """`--https-keystore` with WireMock's default password presents the keystore's chain."""
    ca = trustme.CA()
    keystore = write_keystore(tmp_path / "keystore.p12", ca.issue_cert("127.0.0.1"))
    with serving(tmp_path, tls=TlsOptions(keystore=keystore)) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", client_trusting(ca)) == (200, b"pong")
        status, _ = plain_get(runner.port, "/__admin/certs/ca.pem")
        assert status == 404  # no generated CA to hand out


def test_keystore_with_its_own_password(tmp_path: Path) -> None:
    """`--keystore-password` opens a keystore whose password is not WireMock's default."""
    ca = trustme.CA()
    keystore = write_keystore(tmp_path / "ks.p12", ca.issue_cert("127.0.0.1"), b"s3cret")
    tls = TlsOptions(keystore=keystore, keystore_type="PKCS12", keystore_password="s3cret")
    with serving(tmp_path, tls=tls) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", client_trusting(ca)) == (200, b"pong")


def test_wrong_keystore_password_is_a_clear_error(tmp_path: Path) -> None:
    """A keystore the password does not open stops start-up, naming the flag and file."""
    ca = trustme.CA()
    keystore = write_keystore(tmp_path / "ks.p12", ca.issue_cert("127.0.0.1"), b"s3cret")
    runner = ThreadedRunner(ServerOptions(port=0, root_dir=tmp_path, https_port=0,
                                          tls=TlsOptions(keystore=keystore)))
    with pytest.raises(TlsError, match="--https-keystore .*ks.p12"):
        runner.start()
    runner.stop()


def test_jks_keystore_is_refused_with_the_keytool_command(tmp_path: Path) -> None:
    """A Java JKS keystore is named as such, with the keytool command converting it."""
    jks = tmp_path / "keystore.jks"
    jks.write_bytes(b"\xfe\xed\xfe\xed" + b"\x00" * 64)
    runner = ThreadedRunner(ServerOptions(port=0, root_dir=tmp_path, https_port=0,
                                          tls=TlsOptions(keystore=jks)))
    with pytest.raises(TlsError) as caught:
        runner.start()
    runner.stop()
    message = str(caught.value)
    assert "JKS" in message
    assert "keytool -importkeystore -srcstoretype JKS" in message
    assert "-deststoretype PKCS12" in message


def test_pem_certificate_and_key(tmp_path: Path) -> None:
    """`--https-cert` and `--https-key` (PEM) are an alternative to a keystore."""
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(b"".join(p.bytes() for p in leaf.cert_chain_pems))
    key.write_bytes(leaf.private_key_pem.bytes())
    with serving(tmp_path, tls=TlsOptions(cert=cert, key=key)) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", client_trusting(ca)) == (200, b"pong")


def client_cert_server(tmp_path: Path, truststore: Path) -> tuple[trustme.CA, TlsOptions]:
    server_ca = trustme.CA()
    keystore = write_keystore(tmp_path / "server.p12", server_ca.issue_cert("127.0.0.1"))
    return server_ca, TlsOptions(keystore=keystore, require_client_cert=True,
                                 truststore=truststore)


def test_required_client_certificate_accepted_when_the_truststore_vouches(
    tmp_path: Path,
) -> None:
    """A client certificate signed by a truststore CA is let in."""
    client_ca = trustme.CA()
    server_ca, tls = client_cert_server(tmp_path, write_truststore(tmp_path / "t.p12",
                                                                   client_ca))
    context = client_trusting(server_ca)
    client_ca.issue_cert("client@example.com").configure_cert(context)
    with serving(tmp_path, tls=tls) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", context) == (200, b"pong")


def test_missing_client_certificate_fails_the_handshake(tmp_path: Path) -> None:
    """Without a client certificate (or with one from another CA) no request gets through."""
    client_ca = trustme.CA()
    server_ca, tls = client_cert_server(tmp_path, write_truststore(tmp_path / "t.p12",
                                                                   client_ca))
    stranger = client_trusting(server_ca)
    trustme.CA().issue_cert("mallory").configure_cert(stranger)
    with serving(tmp_path, tls=tls) as runner:
        assert runner.https_port is not None
        for context in (client_trusting(server_ca), stranger):
            with pytest.raises((ssl.SSLError, ConnectionError)):
                https_get(runner.https_port, "/ping", context)
        status, _ = plain_get(runner.port, "/ping")
        assert status == 200  # plain HTTP is not affected


def test_truststore_key_entries_are_trusted_too(tmp_path: Path) -> None:
    """A truststore holding a key entry trusts that entry's certificate, as WireMock does."""
    client_ca = trustme.CA()
    key = serialization.load_pem_private_key(client_ca.private_key_pem.bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(client_ca.cert_pem.bytes())
    truststore = tmp_path / "keyentry.p12"
    truststore.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ca", key, ca_cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"password")))
    server_ca, tls = client_cert_server(tmp_path, truststore)
    context = client_trusting(server_ca)
    client_ca.issue_cert("client").configure_cert(context)
    with serving(tmp_path, tls=tls) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", context) == (200, b"pong")


@pytest.mark.skipif(shutil.which("keytool") is None, reason="needs Java's keytool")
def test_keystore_made_by_keytool(tmp_path: Path) -> None:
    """A PKCS12 keystore made by `keytool -genkeypair`, with WireMock's default JKS type and
    password, serves its self-signed certificate."""
    keystore = tmp_path / "keystore.p12"
    subprocess.run(["keytool", "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                    "-validity", "2", "-keystore", str(keystore), "-storetype", "PKCS12",
                    "-storepass", "password"], check=True, capture_output=True, timeout=60)
    exported = subprocess.run(["keytool", "-exportcert", "-rfc", "-alias", "server",
                               "-keystore", str(keystore), "-storepass", "password"],
                              check=True, capture_output=True, text=True, timeout=60)
    context = ssl.create_default_context(cadata=exported.stdout)
    with serving(tmp_path, tls=TlsOptions(keystore=keystore)) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", context) == (200, b"pong")


@pytest.mark.skipif(shutil.which("keytool") is None, reason="needs Java's keytool")
def test_truststore_made_by_keytool(tmp_path: Path) -> None:
    """A truststore written by `keytool -importcert` (trusted certificate entries) works."""
    client_ca = trustme.CA()
    ca_file = tmp_path / "client-ca.pem"
    ca_file.write_bytes(client_ca.cert_pem.bytes())
    truststore = tmp_path / "truststore.p12"
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "clients", "-file",
                    str(ca_file), "-keystore", str(truststore), "-storetype", "PKCS12",
                    "-storepass", "password"], check=True, capture_output=True, timeout=60)
    server_ca, tls = client_cert_server(tmp_path, truststore)
    context = client_trusting(server_ca)
    client_ca.issue_cert("client").configure_cert(context)
    with serving(tmp_path, tls=tls) as runner:
        assert runner.https_port is not None
        assert https_get(runner.https_port, "/ping", context) == (200, b"pong")


def test_disable_http_leaves_only_https(tmp_path: Path) -> None:
    """With `disable_http` the server's URL and port are the HTTPS socket's."""
    with serving(tmp_path, disable_http=True) as runner:
        assert runner.url.startswith("https://") and runner.port == runner.https_port
        certificate = runner.certificate
        assert certificate is not None and certificate.ca_pem is not None
        context = ssl.create_default_context(cadata=certificate.ca_pem.decode())
        assert https_get(runner.port, "/ping", context) == (200, b"pong")


def test_python_api_https_with_ssl_context_helper(tmp_path: Path) -> None:
    """`MockServer(https=True)` serves HTTPS that `ssl_context()` trusts."""
    with MockServer(https=True) as server:
        server.stub(PING)
        assert server.https_url.startswith("https://127.0.0.1:")
        port = int(server.https_url.rsplit(":", 1)[1])
        assert https_get(port, "/ping", server.ssl_context()) == (200, b"pong")
        assert server.ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")


def test_admin_api_require_https_is_met_by_the_https_socket(tmp_path: Path) -> None:
    """With admin_api_require_https the admin API answers over the HTTPS socket and refuses
    plain HTTP (403), while stubs answer on both."""
    with serving(tmp_path, admin_api_require_https=True) as runner:
        assert runner.https_port is not None and runner.certificate is not None
        context = ssl.create_default_context(cadata=runner.certificate.ca_pem.decode())
        assert https_get(runner.https_port, "/__admin/mappings", context)[0] == 200
        assert plain_get(runner.port, "/__admin/mappings")[0] == 403
        assert plain_get(runner.port, "/ping") == (200, b"pong")
