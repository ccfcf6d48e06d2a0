"""`mockserver record` run as a real process against a loopback upstream, stopped by signals."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import Client, start_server
from tests.upstream import PNG, Upstream

REPO = Path(__file__).resolve().parents[2]
SECRETS = ("SECRET", "sk_live_42", "hunter22")


@dataclass
class Recorder:
    process: subprocess.Popen[str]
    client: Client
    log: Path

    def finish(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        """Send `sig`, wait for the exit; (exit code, stdout summary and logs, stderr)."""
        self.process.send_signal(sig)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, self.log.read_text(), err


@pytest.fixture
def record(tmp_path: Path, upstream: Upstream) -> Iterator[object]:
    started: list[Recorder] = []

    def run(*extra: str, root: Path | None = None) -> Recorder:
        log = tmp_path / f"stdout-{len(started)}.log"
        root = root or tmp_path / "recorded"
        with log.open("w") as stdout:
            process = subprocess.Popen(
                [sys.executable, "-m", "mockserver", "record", "--target", upstream.url,
                 "--root-dir", str(root), "--port", "0", "--log-format", "json", *extra],
                cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 30)
        assert ready, "mockserver record did not start"
        banner = process.stderr.readline()
        assert banner.startswith(f"Recording {upstream.url} through http://127.0.0.1:"), banner
        port = int(banner.rsplit("http://127.0.0.1:", 1)[1].split()[0])
        recorder = Recorder(process, Client(port), log)
        started.append(recorder)
        return recorder

    yield run
    for recorder in started:
        if recorder.process.poll() is None:
            recorder.process.kill()
            recorder.process.communicate(timeout=10)


def use_the_api(client: Client) -> None:
    client.get("/customers/cus_8Hx2kQ9zLm?api_key=sk_live_42&expand=orders",
               headers={"Authorization": "Bearer SECRET-BEARER", "Cookie": "sid=SECRET-SID"})
    client.post("/oauth/token", body='{"client_secret":"SECRET-CLIENT","scope":"read"}',
                headers={"Content-Type": "application/json"})
    client.post("/echo/login", body="user=ada&password=hunter22",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    client.get("/counter")
    client.get("/counter")
    client.get("/image.png")
    client.get("/gzip", headers={"Accept-Encoding": "gzip"})


def written(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_sigint_writes_stubs_and_prints_a_summary(record: object, tmp_path: Path) -> None:
    """Ctrl-C writes one YAML file per endpoint, prints what was written and exits 0."""
    recorder = record()  # type: ignore[operator]
    use_the_api(recorder.client)
    code, out, _ = recorder.finish(signal.SIGINT)
    assert code == 0
    root = tmp_path / "recorded"
    assert sorted(written(root)) == sorted([
        "mappings/get-customers-id.yaml", "mappings/post-oauth-token.yaml",
        "mappings/post-echo-login.yaml", "mappings/get-counter.yaml",
        "mappings/get-image.png.yaml", "mappings/get-gzip.yaml",
        *[n for n in written(root) if n.startswith("__files/get-image.png-")]])
    summary = out[out.index("Recorded 7 requests"):]
    assert summary.startswith(f"Recorded 7 requests from {recorder_target(out)} into 7 stubs")
    for name in written(root):
        assert str(root / name) in summary
    assert f"mockserver serve --root-dir {root}" in summary


def recorder_target(out: str) -> str:
    started = next(json.loads(line) for line in out.splitlines()
                   if '"recording_started"' in line)
    return str(started["target"])


def test_no_secret_reaches_disk_or_the_log(record: object, tmp_path: Path) -> None:
    """Credentials are masked in every written file and in the process output."""
    recorder = record()  # type: ignore[operator]
    use_the_api(recorder.client)
    code, out, err = recorder.finish(signal.SIGTERM)
    assert code == 0
    files = written(tmp_path / "recorded")
    for secret in SECRETS:
        for name, data in files.items():
            assert secret.encode() not in data, f"{secret} written to {name}"
        assert secret not in out and secret not in err
    customer = yaml.safe_load(files["mappings/get-customers-id.yaml"])
    assert customer["response"]["headers"]["Set-Cookie"].startswith("session=[REDACTED]")


def test_one_log_event_per_recorded_request_without_a_terminal(record: object) -> None:
    """Off a terminal, each recorded request is logged (with masked query values)."""
    recorder = record()  # type: ignore[operator]
    recorder.client.get("/text")
    recorder.client.get("/customers/1?token=SECRET-TOKEN")
    _, out, _ = recorder.finish()
    events = [json.loads(line) for line in out.splitlines() if '"request_recorded"' in line]
    assert [(e["method"], e["url"], e["count"]) for e in events] == [
        ("GET", "/text", 1), ("GET", "/customers/1?token=%5BREDACTED%5D", 2)]


def test_recorded_stubs_replay(record: object, tmp_path: Path) -> None:
    """`mockserver serve` on the folder answers as the upstream did, scenarios included."""
    recorder = record()  # type: ignore[operator]
    use_the_api(recorder.client)
    assert recorder.finish()[0] == 0
    replay = start_server(tmp_path / "recorded")
    try:
        client = Client(replay.port)
        customer = client.get("/customers/cus_8Hx2kQ9zLm?api_key=another&expand=orders",
                              headers={"Authorization": "Bearer another"})
        assert customer.json()["name"] == "Ada"
        assert [client.get("/counter").json()["call"] for _ in range(3)] == [1, 2, 2]
        assert client.get("/image.png").body == PNG
        gz = client.get("/gzip", headers={"Accept-Encoding": "gzip"})
        assert gz.header("Content-Encoding") is None
        assert gz.json() == {"compressed": "gzip"}
        login = client.post("/echo/login", body="user=ada&password=other",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert login.status == 200
    finally:
        replay.stop()


def test_recording_again_updates_the_same_files(record: object, tmp_path: Path) -> None:
    """A second session rewrites the endpoint files: no duplicate stubs or body files."""
    for _ in range(2):
        recorder = record()  # type: ignore[operator]
        use_the_api(recorder.client)
        assert recorder.finish()[0] == 0
    files = written(tmp_path / "recorded")
    assert len([n for n in files if n.startswith("__files/")]) == 1
    counter = yaml.safe_load(files["mappings/get-counter.yaml"])
    assert [c["response"]["jsonBody"]["call"] for c in counter] == [3, 4]
    customer = yaml.safe_load(files["mappings/get-customers-id.yaml"])
    assert isinstance(customer, dict)  # still the one stub, updated in place


def test_no_redact_keeps_secrets_with_a_warning(record: object, tmp_path: Path) -> None:
    """--no-redact writes secrets as recorded and says so in the log."""
    recorder = record("--no-redact", "--capture-header", "Authorization")  # type: ignore[operator]
    use_the_api(recorder.client)
    code, out, _ = recorder.finish()
    assert code == 0
    assert '"redaction_disabled"' in out
    customer = yaml.safe_load(written(tmp_path / "recorded")["mappings/get-customers-id.yaml"])
    assert customer["request"]["headers"]["Authorization"] == {"equalTo": "Bearer SECRET-BEARER"}


def test_extra_redaction_flags(record: object, tmp_path: Path) -> None:
    """--redact-header, --redact-query and --redact-json-path mask more."""
    recorder = record("--redact-query", "expand", "--redact-json-path", "$.name",  # type: ignore[operator]
                      "--redact-header", "X-Tenant", "--capture-header", "X-Tenant")
    recorder.client.get("/customers/5?expand=orders", headers={"X-Tenant": "acme"})
    assert recorder.finish()[0] == 0
    customer = yaml.safe_load(written(tmp_path / "recorded")["mappings/get-customers-id.yaml"])
    assert customer["request"]["queryParameters"]["expand"] == {"matches": ".*"}
    assert customer["request"]["headers"]["X-Tenant"] == {"matches": ".*"}
    assert customer["response"]["jsonBody"]["name"] == "[REDACTED]"


def test_bad_json_path_is_a_usage_error(tmp_path: Path) -> None:
    """An invalid --redact-json-path stops the command before it listens."""
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "record", "--target", "http://127.0.0.1:9",
         "--root-dir", str(tmp_path), "--port", "0", "--redact-json-path", "$["],
        cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "invalid JSONPath '$['" in result.stderr


def test_target_must_be_an_http_url(tmp_path: Path) -> None:
    """A --target that is not an http(s) URL is a usage error naming the option."""
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "record", "--target", "ftp://example.com",
         "--root-dir", str(tmp_path), "--port", "0"],
        cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--target: expected an http(s) URL" in result.stderr


MORE_SECRETS = ("SECRET-UPSTREAM-TOKEN", "SECRET-XML-PASS", "4111111111111111",
                "4012 8888 8888 1881", "SECRET-TEXT-TOKEN", "Zq8Lm3Xv9Rt2Kp7Wn4Bd6Hs1",
                "SECRET-SIG", "5555555555554444", "SECRET-CVV", "SECRET-REQ-PASS")


def test_card_numbers_signatures_path_tokens_and_text_secrets_are_masked(
    record: object, tmp_path: Path
) -> None:
    """Card numbers, `signature`/`cvv`/`pin` values, a token in the path (stub and file name),
    secret-looking upstream headers and secrets in XML and text bodies reach no file and no
    log line; the recorded stubs still replay."""
    recorder = record()  # type: ignore[operator]
    client = recorder.client
    client.get("/secrets/xml/Zq8Lm3Xv9Rt2Kp7Wn4Bd6Hs1?signature=SECRET-SIG&card=5555555555554444")
    client.post("/secrets/text", body="cvv=SECRET-CVV pin: 1234 user ada",
                headers={"Content-Type": "text/plain"})
    client.post("/secrets/xml-login", body="<login><user>ada</user>"
                "<password>SECRET-REQ-PASS</password></login>",
                headers={"Content-Type": "application/xml"})
    code, out, err = recorder.finish(signal.SIGTERM)
    assert code == 0
    root = tmp_path / "recorded"
    files = written(root)
    for secret in MORE_SECRETS:
        for name, data in files.items():
            assert secret not in name and secret.encode() not in data, f"{secret} in {name}"
        assert secret not in out and secret not in err
    with start_server_on(root) as replay:
        xml = replay.get("/secrets/xml/AnotherToken1234567890abcdef?signature=x&card=1")
        assert xml.status == 200 and "<id>7</id>" in xml.text
        assert replay.post("/secrets/text", body="cvv=999 pin: 1234 user ada",
                           headers={"Content-Type": "text/plain"}).status == 200
        login = "<login><user>ada</user><password>other</password></login>"
        assert replay.post("/secrets/xml-login", body=login,
                           headers={"Content-Type": "application/xml"}).status == 200


@contextmanager
def start_server_on(root: Path) -> Iterator[Client]:
    runner = start_server(root)
    try:
        yield Client(runner.port)
    finally:
        runner.stop()
