"""Stub traffic in a namespace against the same traffic without one, and RSS per namespace.

Runs a real `mockserver serve` subprocess on loopback (request logging off) with 1,000 default
stubs and drives it with `wrk`:

    python benchmarks/bench_namespaces.py [--duration 5] [--namespaces 500]

Rows: the default scope hitting its last-added stub; a namespace hitting its own stub; a
namespace falling through to that default stub (its own registry is asked first); the same via
the `X-Mock-Namespace` header; and all of it again with `--namespaces` other namespaces alive,
each holding 5 stubs and 20 journalled requests. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from bench_matching import TARGET, admin, free_port, rss_mb, start, stub


def wrk(url: str, duration: int, connections: int, *headers: str) -> float:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-H", "Accept: application/json"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors: {out}")
    return float(out.split("Requests/sec:")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--namespaces", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mappings").mkdir()
        port = free_port()
        proc, _ = start(root, port, "--disable-request-logging",
                        "--max-namespaces", str(args.namespaces + 10))
        base = f"http://127.0.0.1:{port}"
        try:
            for i in range(1000):
                admin(base, "POST", "/__admin/mappings", stub(i))
            admin(base, "POST", "/__admin/mappings", TARGET)
            own = dict(TARGET, request={**TARGET["request"], "urlPath": "/own/item"})
            admin(base, "POST", "/__ns/bench/__admin/mappings", own)
            rows: list[tuple[str, float]] = []

            def measure(label: str) -> None:
                d, c = args.duration, args.connections
                rows.append((f"{label}default scope, its stub", wrk(f"{base}/target/item", d, c)))
                rows.append((f"{label}namespace, its own stub",
                             wrk(f"{base}/__ns/bench/own/item", d, c)))
                rows.append((f"{label}namespace, a default stub",
                             wrk(f"{base}/__ns/bench/target/item", d, c)))
                rows.append((f"{label}header, a default stub",
                             wrk(f"{base}/target/item", d, c, "X-Mock-Namespace: bench")))

            measure("")
            before = rss_mb(proc.pid)
            for n in range(args.namespaces):
                prefix = f"/__ns/ns{n}"
                for i in range(5):
                    admin(base, "POST", f"{prefix}/__admin/mappings", stub(i))
                for _ in range(20):
                    try:
                        urllib.request.urlopen(f"{base}{prefix}/api/r0/item", timeout=30).read()
                    except OSError:
                        pass
            after = rss_mb(proc.pid)
            measure(f"{args.namespaces} namespaces alive: ")
            listed = json.loads(admin(base, "GET", "/__admin/namespaces"))
        finally:
            proc.terminate()
            proc.wait()
    width = max(len(label) for label, _ in rows)
    print(f"{'case':<{width}}  req/s")
    for label, value in rows:
        print(f"{label:<{width}}  {value:8.0f}")
    print(f"RSS: {before:.1f} MB before, {after:.1f} MB with {args.namespaces} more namespaces "
          f"({(after - before) * 1024 / args.namespaces:.1f} KB each); "
          f"{listed['meta']['total']} listed")


if __name__ == "__main__":
    main()
