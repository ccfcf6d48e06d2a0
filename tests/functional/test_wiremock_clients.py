"""Third-party WireMock clients against a real mockserver: WireMock's own Java client and the
npm packages `wiremock-rest-client` and `wiremock-captain`.

The Java client ships in WireMock's standalone jar (the npm package `wiremock`); the npm
clients are npm packages. `scripts/fetch-client-checks` (run by `.ci/run` as an install step)
puts both into `.client-checks/` (ignored by git): the tests only read that folder, so nothing
reaches a registry at test time. Skipped, saying why, where the folder, Java or Node is missing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import start_server

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".client-checks"
WIREMOCK_PACKAGE = "wiremock@3.13.2"
JAVA_CHECK = Path(__file__).parent / "clients" / "ClientCheck.java"
NPM_CHECK = Path(__file__).parent / "clients" / "npm_check.js"
NPM_CLIENTS = ("wiremock-rest-client@1.11.0", "wiremock-captain@4.1.3")


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


FETCH = "run scripts/fetch-client-checks first (it needs npm and the registry)"


def wiremock_jar() -> Path:
    """WireMock's standalone jar, from the install step's cache."""
    jars = sorted((CACHE / "wiremock").glob("package/build/wiremock-standalone-*.jar"))
    if not jars:
        pytest.skip(f"WireMock's jar (home of its Java client) is not in {CACHE.name}/: {FETCH}")
    return jars[-1]


def compiled_java_check(jar: Path) -> Path:
    """ClientCheck.java compiled against the jar (recompiled only when the source changes)."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("a JDK (java and javac) is needed to run WireMock's Java client")
    digest = hashlib.sha256(JAVA_CHECK.read_bytes() + jar.name.encode()).hexdigest()[:16]
    out = CACHE / "java" / digest
    if not (out / "ClientCheck.class").exists():
        for stale in out.parent.glob("*") if out.parent.exists() else ():
            shutil.rmtree(stale, ignore_errors=True)  # builds of older sources
        out.mkdir(parents=True, exist_ok=True)
        built = _run(["javac", "-cp", str(jar), "-d", str(out), str(JAVA_CHECK)], REPO, 180)
        assert built.returncode == 0, built.stderr
    return out


def test_wiremocks_java_client_works_unchanged(tmp_path: Path) -> None:
    """WireMock's Java client stubs, verifies (after the journal evicted requests), lists serve
    events, finds, counts, lists near misses, records, snapshots and resets without an error."""
    jar = wiremock_jar()
    classes = compiled_java_check(jar)
    runner = start_server(tmp_path / "root", max_request_journal_entries=5)
    try:
        ran = _run(["java", "-cp", f"{jar}:{classes}", "ClientCheck", str(runner.port)],
                   REPO, 120)
    finally:
        runner.stop()
    assert ran.returncode == 0 and "ALL OK" in ran.stdout, ran.stdout + ran.stderr[-3000:]


def npm_clients() -> Path:
    """node_modules holding the npm clients, from the install step's cache."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the npm WireMock clients")
    modules = CACHE / "npm" / "node_modules"
    if not all((modules / name.rsplit("@", 1)[0] / "package.json").exists()
               for name in NPM_CLIENTS):
        pytest.skip(f"the npm WireMock clients are not in {CACHE.name}/: {FETCH}")
    return modules


def test_npm_wiremock_clients_work_unchanged(tmp_path: Path) -> None:
    """wiremock-rest-client and wiremock-captain create stubs, read the journal after evictions,
    count, find, list near misses and scenarios, record, snapshot, remove and reset; captain's
    webhook reaches a real receiver the check starts."""
    modules = npm_clients()
    runner = start_server(tmp_path / "root", max_request_journal_entries=5)
    try:
        ran = subprocess.run(["node", str(NPM_CHECK), str(runner.port)], cwd=REPO,
                             capture_output=True, text=True, timeout=120, check=False,
                             env={**os.environ, "NODE_PATH": str(modules)})
    finally:
        runner.stop()
    assert ran.returncode == 0 and "ALL OK" in ran.stdout, ran.stdout + ran.stderr[-3000:]


NAMESPACE_CHECK = Path(__file__).parent / "clients" / "NamespaceCheck.java"


def test_wiremocks_java_client_works_in_a_namespace_through_its_path_prefix(
        tmp_path: Path) -> None:
    """WireMock's Java client built with the path prefix `/__ns/{name}` stubs, verifies, lists
    and resets one namespace, leaving another and the default untouched."""
    jar = wiremock_jar()
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("a JDK (java and javac) is needed to run WireMock's Java client")
    out = tmp_path / "classes"
    out.mkdir()
    built = _run(["javac", "-cp", str(jar), "-d", str(out), str(NAMESPACE_CHECK)], REPO, 180)
    assert built.returncode == 0, built.stderr
    runner = start_server(tmp_path / "root")
    try:
        ran = _run(["java", "-cp", f"{jar}:{out}", "NamespaceCheck", str(runner.port)],
                   REPO, 120)
    finally:
        runner.stop()
    assert ran.returncode == 0 and "ALL OK" in ran.stdout, ran.stdout + ran.stderr[-3000:]
