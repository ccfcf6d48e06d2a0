"""`mockserver drift` against a real upstream on loopback whose answers change under the stubs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from tests.upstream import Upstream

ORDER = {"id": 7, "status": "paid", "total": 12.5, "items": [{"sku": "A1", "qty": 2}],
         "meta": {"requestId": "r-1"}}


def write_stubs(root: Path, stubs: list[dict[str, object]]) -> None:
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    (root / "mappings" / "orders.yaml").write_text(yaml.safe_dump({"mappings": stubs}))


def order_stub(**metadata: object) -> dict[str, object]:
    stub: dict[str, object] = {
        "name": "get-order",
        "request": {"method": "GET", "urlPath": "/live/orders/7"},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "jsonBody": ORDER},
    }
    if metadata:
        stub["metadata"] = metadata
    return stub


def serve_live(upstream: Upstream, path: str, document: object, status: int = 200,
               method: str = "GET", content_type: str = "application/json") -> None:
    upstream.live[(method, path)] = (status, content_type, json.dumps(document).encode())


def drift(root: Path, target: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "drift", "--root-dir", str(root), "--target",
         target, *args], capture_output=True, text=True, timeout=60)


def test_unchanged_api_exits_zero(tmp_path: Path, upstream: Upstream) -> None:
    """Same keys and types, different values: no drift, exit 0."""
    write_stubs(tmp_path, [order_stub()])
    serve_live(upstream, "/live/orders/7", {**ORDER, "id": 8, "total": 99,
                                            "meta": {"requestId": "r-2"}})
    result = drift(tmp_path, upstream.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 checked, 0 drifted" in result.stdout


def test_removed_key_and_changed_type_are_drift(tmp_path: Path, upstream: Upstream) -> None:
    """A key gone and a type changed are drift, named with expected and live values; exit 1."""
    write_stubs(tmp_path, [order_stub()])
    live = {k: v for k, v in ORDER.items() if k != "status"}
    live["total"] = "12.50"
    serve_live(upstream, "/live/orders/7", live)
    result = drift(tmp_path, upstream.url)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "orders.yaml" in out and "GET /live/orders/7" in out
    assert "$.status: missing in the live answer (expected 'paid'" in out
    assert "$.total: type changed from number to string (expected 12.5, live '12.50')" in out


def test_added_key_is_a_warning_not_drift(tmp_path: Path, upstream: Upstream) -> None:
    """A key the live API added is shown as a warning and does not fail the check."""
    write_stubs(tmp_path, [order_stub()])
    serve_live(upstream, "/live/orders/7", {**ORDER, "currency": "EUR"})
    result = drift(tmp_path, upstream.url)
    assert result.returncode == 0
    assert "warning $.currency: added in the live answer (live 'EUR')" in result.stdout


def test_ignored_paths_are_skipped(tmp_path: Path, upstream: Upstream) -> None:
    """`metadata.drift.ignore` JSONPaths are not compared, wildcards included."""
    write_stubs(tmp_path, [order_stub(drift={"ignore": ["$.meta", "$.items[*].qty"]})])
    serve_live(upstream, "/live/orders/7", {**ORDER, "meta": "gone",
                                            "items": [{"sku": "A1", "qty": "two"}]})
    result = drift(tmp_path, upstream.url)
    assert result.returncode == 0, result.stdout


def test_status_and_content_type_drift(tmp_path: Path, upstream: Upstream) -> None:
    """A changed status or media type is drift."""
    write_stubs(tmp_path, [order_stub()])
    serve_live(upstream, "/live/orders/7", ORDER, status=410, content_type="text/plain")
    result = drift(tmp_path, upstream.url)
    assert result.returncode == 1
    assert "$.status: status changed (expected 200, live 410)" in result.stdout
    assert "content type changed (expected 'application/json', live 'text/plain')" in (
        result.stdout)


def test_post_is_not_replayed_without_unsafe_methods(tmp_path: Path, upstream: Upstream) -> None:
    """A POST stub is skipped unless --unsafe-methods, and the upstream never sees it."""
    write_stubs(tmp_path, [{
        "request": {"method": "POST", "urlPath": "/live/orders",
                    "bodyPatterns": [{"equalToJson": {"sku": "A1"}}]},
        "response": {"status": 201, "jsonBody": {"id": 9}}}])
    serve_live(upstream, "/live/orders", {"id": 10}, status=201, method="POST")
    result = drift(tmp_path, upstream.url, "--verbose")
    assert result.returncode == 0
    assert "POST is not replayed without --unsafe-methods" in result.stdout
    assert upstream.received == []
    result = drift(tmp_path, upstream.url, "--unsafe-methods")
    assert result.returncode == 0, result.stdout
    assert [(r.method, r.body) for r in upstream.received] == [("POST", b'{"sku": "A1"}')]


def test_unreachable_target_exits_two(tmp_path: Path) -> None:
    """A target nobody listens on is exit 2, with the reason."""
    write_stubs(tmp_path, [order_stub()])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = drift(tmp_path, f"http://127.0.0.1:{port}")
    assert result.returncode == 2
    assert "cannot reach the target" in result.stderr


def test_credentials_come_from_the_user(
    tmp_path: Path, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--header values expand environment variables; MOCKSERVER_DRIFT_HEADERS adds more."""
    write_stubs(tmp_path, [order_stub()])
    serve_live(upstream, "/live/orders/7", ORDER)
    monkeypatch.setenv("API_TOKEN", "tok-123")
    monkeypatch.setenv("MOCKSERVER_DRIFT_HEADERS", "X-Tenant: acme")
    result = drift(tmp_path, upstream.url, "--header", "Authorization: Bearer ${API_TOKEN}")
    assert result.returncode == 0, result.stderr
    sent = upstream.received[0]
    assert sent.header("Authorization") == "Bearer tok-123"
    assert sent.header("X-Tenant") == "acme"


def test_junit_and_json_reports(tmp_path: Path, upstream: Upstream) -> None:
    """--junit has one testcase per stub (a failure when drifted); --report-json the facts."""
    write_stubs(tmp_path, [order_stub(), {
        "name": "health", "request": {"method": "GET", "url": "/live/health"},
        "response": {"status": 200, "jsonBody": {"ok": True}}}])
    serve_live(upstream, "/live/orders/7", {**ORDER, "items": None})
    serve_live(upstream, "/live/health", {"ok": True})
    junit, report = tmp_path / "drift.xml", tmp_path / "drift.json"
    result = drift(tmp_path, upstream.url, "--junit", str(junit), "--report-json", str(report))
    assert result.returncode == 1
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert len(failed) == 1 and "get-order" in (failed[0].get("name") or "")
    assert "$.items" in (failed[0].find("failure").get("message") or "")  # type: ignore[union-attr]
    facts = json.loads(report.read_text())
    assert facts["checked"] == 2 and facts["drifted"] == 1
    drifted = next(s for s in facts["stubs"] if s["drifted"])
    assert drifted["differences"][0]["path"] == "$.items"


def test_update_rewrites_drifted_stubs_with_secrets_masked(
    tmp_path: Path, upstream: Upstream
) -> None:
    """--update takes the live answer into the stub, masks secrets, keeps id and other keys."""
    stub = order_stub()
    stub["id"] = "8b8f0a43-2f4e-4c1b-9a52-0d6a51a3b0c1"
    stub["response"]["fixedDelayMilliseconds"] = 50  # type: ignore[index]
    write_stubs(tmp_path, [stub])
    serve_live(upstream, "/live/orders/7", {"id": 7, "state": "paid", "access_token": "sk_live"})
    result = drift(tmp_path, upstream.url, "--update")
    assert result.returncode == 1 and "updated" in result.stdout
    written = yaml.safe_load((tmp_path / "mappings" / "orders.yaml").read_text())["mappings"][0]
    assert written["id"] == stub["id"]
    assert written["response"]["fixedDelayMilliseconds"] == 50
    assert written["response"]["jsonBody"]["state"] == "paid"
    assert "sk_live" not in json.dumps(written)
    assert drift(tmp_path, upstream.url).returncode == 0
