"""Third-party WireMock clients against a real mockserver: WireMock's own Java client.

The client ships in WireMock's standalone jar, fetched once with npm (the `wiremock` package)
into `.client-checks/` (ignored by git) and reused; the check program is compiled with javac.
Skipped, saying why, where Java or npm is missing or the registry cannot be reached.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import start_server

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".client-checks"
WIREMOCK_PACKAGE = "wiremock@3.13.2"
JAVA_CHECK = Path(__file__).parent / "clients" / "ClientCheck.java"


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


def wiremock_jar() -> Path:
    """WireMock's standalone jar from its npm package, downloaded once into the cache."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: it fetches WireMock's jar (the Java client's home)")
    folder = CACHE / "wiremock"
    jars = sorted(folder.glob("package/build/wiremock-standalone-*.jar"))
    if jars:
        return jars[-1]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        packed = _run(["npm", "pack", WIREMOCK_PACKAGE, "--silent"], folder, 180)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm pack {WIREMOCK_PACKAGE} took over 3 minutes (registry unreachable?)")
    if packed.returncode != 0:
        pytest.skip(f"npm pack {WIREMOCK_PACKAGE} failed (registry unreachable?): "
                    f"{packed.stderr.strip()[-300:]}")
    archive = folder / packed.stdout.strip().splitlines()[-1]
    unpacked = _run(["tar", "xzf", archive.name], folder, 120)
    assert unpacked.returncode == 0, unpacked.stderr
    archive.unlink()
    jars = sorted(folder.glob("package/build/wiremock-standalone-*.jar"))
    assert jars, f"no standalone jar inside {WIREMOCK_PACKAGE}"
    return jars[-1]


def compiled_java_check(jar: Path) -> Path:
    """ClientCheck.java compiled against the jar (recompiled only when the source changes)."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("a JDK (java and javac) is needed to run WireMock's Java client")
    digest = hashlib.sha256(JAVA_CHECK.read_bytes() + jar.name.encode()).hexdigest()[:16]
    out = CACHE / "java" / digest
    if not (out / "ClientCheck.class").exists():
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
