"""Scale-out costs and gains: the Redis store against the in-memory one, and `--workers 2`
against one worker.

Starts a throwaway `redis-server` on a free loopback port (no persistence) and real
`mockserver serve` processes, and drives each with `wrk` against one stub, the journal on:

    memory, 1 process       the default store
    redis, 1 process        the same, every request journalled to Redis in batches
    redis, 1 process, scenario stub   a gate each request waits for (one Lua call)
    redis, --workers 1 / 2  one port, one or two processes

Usage: .venv/bin/python benchmarks/bench_scale_out.py [--duration 5] [--connections 32]
Prints figures; asserts nothing. On a machine with fewer than two free cores the workers
figure says little (the two processes then share one core with wrk and Redis).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching import admin, free_port, wait_ready, wrk  # noqa: E402 - after the path

STUB = {"request": {"method": "GET", "url": "/ping"},
        "response": {"status": 200, "body": "pong"}}
SCENARIO = {"scenarioName": "loop", "requiredScenarioState": "Started",
            "request": {"method": "GET", "url": "/gated"},
            "response": {"status": 200, "body": "gated"}}


def serve(root: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--root-dir", str(root), "--disable-request-logging", "--log-format", "json", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}")
    return proc


def measure(root: Path, args: argparse.Namespace, path: str, *extra: str) -> float:
    port = free_port()
    proc = serve(root, port, *extra)
    try:
        base = f"http://127.0.0.1:{port}"
        admin(base, "POST", "/__admin/reset")
        admin(base, "POST", "/__admin/mappings", STUB)
        admin(base, "POST", "/__admin/mappings", SCENARIO)
        time.sleep(0.5)  # every worker has the stubs (pub/sub)
        wrk(base + path, 1, args.connections)  # warm-up
        return wrk(base + path, args.duration, args.connections)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (Debian: apt-get install {tool})")
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    store = f"redis://127.0.0.1:{redis_port}/0"
    try:
        time.sleep(0.3)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "mappings").mkdir()
            rows = [
                ("memory, 1 process", measure(root, args, "/ping")),
                ("redis, 1 process", measure(root, args, "/ping", "--store", store)),
                ("memory, 1 process, scenario stub", measure(root, args, "/gated")),
                ("redis, 1 process, scenario stub",
                 measure(root, args, "/gated", "--store", store)),
                ("redis, --workers 2",
                 measure(root, args, "/ping", "--store", store, "--workers", "2")),
            ]
    finally:
        redis.terminate()
        redis.wait(timeout=30)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, wrk -t1 "
          f"-c{args.connections} -d{args.duration}s, journal on, request logging off")
    for name, rate in rows:
        print(f"{name:<36} {rate:>9,.0f} req/s")


if __name__ == "__main__":
    main()
