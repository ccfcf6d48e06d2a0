"""Throughput with 1, 1,000 and 10,000 stubs, start-up time with 1,000 stub files, and RSS.

Runs a real `mockserver serve` subprocess on loopback and drives it with `wrk`:

    python benchmarks/bench_matching.py [--duration 10] [--connections 50]

Stubs are a mix of kinds (urlPath GET, urlPath POST + header, urlPathPattern regex,
matchesJsonPath body); the measured request always hits the LAST-added stub, the worst case
for a linear scan. Prints a table; nothing is asserted (figures go in notes, not in tests).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stub(i: int) -> dict[str, object]:
    kind = i % 4
    if kind == 0:
        request: dict[str, object] = {"method": "GET", "urlPath": f"/api/r{i}/item"}
    elif kind == 1:
        request = {"method": "POST", "urlPath": f"/api/r{i}/item",
                   "headers": {"Content-Type": {"contains": "json"}}}
    elif kind == 2:
        request = {"method": "GET", "urlPathPattern": f"/pat{i}/[0-9]+"}
    else:
        request = {"method": "POST", "urlPath": f"/json{i}",
                   "bodyPatterns": [{"matchesJsonPath": f"$.items[?(@.id == {i})]"}]}
    return {"request": request, "response": {"status": 200, "body": f"stub {i}"}}


TARGET = {"request": {"method": "GET", "urlPath": "/target/item",
                      "headers": {"Accept": {"contains": "json"}}},
          "response": {"status": 200, "body": "target"}}


def admin(base: str, method: str, path: str, body: object = None) -> bytes:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return bytes(resp.read())


def wait_ready(base: str, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            admin(base, "GET", "/__admin/health")
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("server did not start")


def start(root: Path, port: int, *extra: str) -> tuple[subprocess.Popen[bytes], float]:
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--root-dir", str(root), "--log-format", "json", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_ready(f"http://127.0.0.1:{port}")
    return proc, time.perf_counter() - began


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def wrk(url: str, duration: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-H", "Accept: application/json",
         url], capture_output=True, text=True, check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw errors: {out}")
    return float(match.group(1)) if match else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--counts", default="1,1000,10000")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian: apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))
    try:
        # Start-up with 1,000 stub files on disk.
        files_root = work / "files"
        (files_root / "mappings").mkdir(parents=True)
        for i in range(1000):
            (files_root / "mappings" / f"s{i:04d}.json").write_text(json.dumps(stub(i)))
        port = free_port()
        proc, startup = start(files_root, port)
        proc.terminate()
        proc.wait()
        empty = work / "empty"
        (empty / "mappings").mkdir(parents=True)
        port = free_port()
        proc, startup_empty = start(empty, port)
        proc.terminate()
        proc.wait()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc, _ = start(empty, port, "--no-request-journal", "--disable-request-logging")
        idle_rss = rss_mb(proc.pid)
        rows = []
        try:
            for count in (int(c) for c in args.counts.split(",")):
                admin(base, "POST", "/__admin/reset")
                mappings = [stub(i) for i in range(count - 1)]
                # import applies its list in reverse: the first element is added last.
                admin(base, "POST", "/__admin/mappings/import",
                      {"mappings": [TARGET, *reversed(mappings)],
                       "importOptions": {"duplicatePolicy": "IGNORE",
                                         "deleteAllNotInImport": False}})
                wrk(base + "/target/item", 2, args.connections)  # warm-up
                rate = wrk(base + "/target/item", args.duration, args.connections)
                rows.append((count, rate, rss_mb(proc.pid)))
        finally:
            proc.terminate()
            proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, wrk -t1 "
          f"-c{args.connections} -d{args.duration}s, journal off, target = last-added stub")
    print(f"{'stubs':>8} {'req/s':>10} {'vs 1 stub':>10} {'RSS MB':>8}")
    for count, rate, rss in rows:
        print(f"{count:>8} {rate:>10.0f} {rate / rows[0][1]:>10.2f} {rss:>8.1f}")
    print(f"start to first admin answer: {startup * 1000:.0f} ms with 1,000 stub files, "
          f"{startup_empty * 1000:.0f} ms empty; idle RSS {idle_rss:.1f} MB")


if __name__ == "__main__":
    main()
