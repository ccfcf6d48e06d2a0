"""WireMock's command-line flags on `mockserver serve`, run as a real process.

Flags with an equivalent work (HTTPS keystore flags, --bind-address, --verbose,
--print-all-network-traffic, --record-mappings), tuning flags are accepted with a warning, and
flags whose absence would change behaviour stop start-up naming the flag as WireMock's.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trustme
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.conftest import Client, cli_server
from tests.upstream import Upstream


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def events(log: Path) -> list[dict[str, object]]:
    out = []
    for line in log.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a warning printed before logging was set up
    return out


@pytest.mark.parametrize("flag", ["--extensions=com.example.Ext", "--enable-browser-proxying",
                                  "--deny-proxy-targets=10.0.0.0/8", "--proxy-via=p:3128"])
def test_refused_wiremock_flag_names_itself_and_the_alternative(tmp_path: Path,
                                                                flag: str) -> None:
    """A WireMock flag that would change behaviour stops start-up with a reason, not argparse's
    bare 'unrecognized arguments'."""
    result = run_cli("serve", "--root-dir", str(tmp_path), "--port", "0", flag)
    name = flag.split("=", 1)[0]
    assert result.returncode == 2
    assert f"{name} is a WireMock flag that mockserver does not support:" in result.stderr
    assert "unrecognized arguments" not in result.stderr


def test_tuning_flags_are_accepted_with_a_warning(tmp_path: Path) -> None:
    """Jetty and thread-pool tuning flags are warned about and the server starts."""
    with cli_server(tmp_path / "root", "--container-threads", "50",
                    "--jetty-acceptor-threads=4", "--async-response-enabled", "true",
                    "--disable-http2-plain", "--max-template-cache-entries", "10",
                    "--local-response-templating", "--disable-banner") as (client, log):
        assert client.get("/__admin/health").status == 200
        text = log.read_text()
    for flag in ("--container-threads", "--jetty-acceptor-threads", "--async-response-enabled",
                 "--disable-http2-plain", "--max-template-cache-entries"):
        assert f"warning: {flag} is a WireMock flag that is ignored" in text


def test_flags_first_start_the_server_like_wiremocks_jar(tmp_path: Path) -> None:
    """`mockserver --bind-address 127.0.0.1 --port N` serves, as `java -jar wiremock.jar` does;
    a bad value there is reported by `serve`."""
    bad = run_cli("--port", "nope")
    assert bad.returncode == 2 and "usage: mockserver serve" in bad.stderr
    (tmp_path / "mappings").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "--bind-address", "127.0.0.1",
                             "--port", "0", "--root-dir", str(tmp_path), "--log-format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        started = next(e for e in map(json.loads, proc.stdout)
                       if e["event"] == "server_started")
        assert str(started["url"]).startswith("http://127.0.0.1:")
        assert Client(int(str(started["port"]))).get("/__admin/health").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def test_print_all_network_traffic_logs_whole_exchanges(tmp_path: Path) -> None:
    """Each stub exchange is one `traffic` event with request and response in full."""
    with cli_server(tmp_path / "root", "--print-all-network-traffic") as (client, log):
        client.stub({"request": {"url": "/hi"}, "response": {"status": 201, "body": "there",
                                                             "headers": {"X-A": "1"}}})
        client.post("/hi", body="question", headers={"X-Trace": "t-1"})
        deadline = time.monotonic() + 10
        while not [e for e in events(log) if e["event"] == "traffic"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    (traffic,) = [e for e in events(log) if e["event"] == "traffic"]
    request, response = traffic["request"], traffic["response"]
    assert isinstance(request, dict) and isinstance(response, dict)
    assert request["method"] == "POST" and request["url"] == "/hi"
    assert request["body"] == "question" and ["X-Trace", "t-1"] in request["headers"]
    assert response["status"] == 201 and response["body"] == "there"
    assert ["X-A", "1"] in response["headers"]


def test_verbose_logs_whole_exchanges_at_debug(tmp_path: Path) -> None:
    """--verbose prints each request and response in full (a debug-level `traffic` event)."""
    with cli_server(tmp_path / "root", "--verbose") as (client, log):
        client.get("/nothing-here")
        deadline = time.monotonic() + 10
        while not [e for e in events(log) if e["event"] == "traffic"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    (traffic,) = [e for e in events(log) if e["event"] == "traffic"]
    assert traffic["level"] == "debug"
    response = traffic["response"]
    assert isinstance(response, dict) and response["status"] == 404
    assert "no stub mappings" in str(response["body"])  # the 404 report


def test_record_mappings_writes_proxied_exchanges_as_stubs(tmp_path: Path,
                                                           upstream: Upstream) -> None:
    """With --proxy-all and --record-mappings each new proxied request is written at once
    (headers of --match-headers matched on); the running server keeps proxying."""
    root = tmp_path / "root"
    with cli_server(root, "--proxy-all", upstream.url, "--record-mappings",
                    "--match-headers", "X-Tenant") as (client, _log):
        assert client.get("/text", headers={"X-Tenant": "acme"}).status == 200
        deadline = time.monotonic() + 10  # a proxied answer streams out before it is recorded
        while not (written := sorted((root / "mappings").glob("*.yaml"))):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert [p.name for p in written] == ["get-text.yaml"]
        stub = yaml.safe_load(written[0].read_text())
        assert stub["request"]["headers"] == {"X-Tenant": {"equalTo": "acme"}}
        client.get("/text", headers={"X-Tenant": "acme"})
        assert len(upstream.received) == 2  # not loaded: still proxied
    assert len(list((root / "mappings").glob("*.yaml"))) == 1


def test_https_from_the_command_line_with_a_keystore(tmp_path: Path) -> None:
    """--https-port with --https-keystore, --keystore-type and --keystore-password serves TLS
    with the keystore's certificate next to plain HTTP."""
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
    cert = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    keystore = tmp_path / "server.p12"
    keystore.write_bytes(pkcs12.serialize_key_and_certificates(
        b"server", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"changeit")))
    with cli_server(tmp_path / "root", "--https-port", "0", "--https-keystore", str(keystore),
                    "--keystore-type", "PKCS12", "--keystore-password", "changeit") as (
                        client, log):
        client.stub({"request": {"url": "/secure"}, "response": {"body": "ok"}})
        started = next(e for e in events(log) if e["event"] == "server_started")
        context = ssl.create_default_context()
        ca.configure_trust(context)
        conn = http.client.HTTPSConnection("127.0.0.1", int(str(started["https_port"])),
                                           context=context, timeout=20)
        conn.request("GET", "/secure")
        assert conn.getresponse().read() == b"ok"
        conn.close()


def test_jks_keystore_on_the_command_line_says_how_to_convert(tmp_path: Path) -> None:
    """A JKS keystore stops start-up with the keytool command, exit status 2."""
    jks = tmp_path / "keystore.jks"
    jks.write_bytes(b"\xfe\xed\xfe\xed" + bytes(60))
    (tmp_path / "mappings").mkdir()
    result = run_cli("serve", "--root-dir", str(tmp_path), "--port", "0", "--https-port", "0",
                     "--https-keystore", str(jks))
    assert result.returncode == 2
    assert "keytool -importkeystore -srcstoretype JKS" in result.stderr


def test_disable_http_needs_an_https_port(tmp_path: Path) -> None:
    """--disable-http alone would listen nowhere: refused."""
    result = run_cli("serve", "--root-dir", str(tmp_path), "--disable-http")
    assert result.returncode == 2 and "--disable-http needs --https-port" in result.stderr
