"""Throughput of the stub data plane at one stub: journal and request logging off and on,
uvloop against asyncio's own loop, and a raw httptools `Protocol` as the ceiling.

    python benchmarks/bench_dataplane.py [--duration 5] [--rounds 3]

Each configuration runs a real `mockserver serve` (log lines to a file) and `wrk -t1 -c50`
against one static stub; rounds alternate between configurations and the table quotes the
median req/s with the min-max spread. The raw ceiling is a bare asyncio `Protocol` on
httptools writing one pre-encoded response, on the same loop. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAW_SERVER = """
import asyncio, sys, httptools
RESP = (b"HTTP/1.1 200 OK\\r\\nContent-Length: 11\\r\\nContent-Type: text/plain\\r\\n\\r\\n"
        b"hello world")
class P(asyncio.Protocol):
    def connection_made(self, t): self.t = t; self.p = httptools.HttpRequestParser(self)
    def data_received(self, d): self.p.feed_data(d)
    def on_message_complete(self): self.t.write(RESP)
async def main():
    await asyncio.get_running_loop().create_server(P, "127.0.0.1", int(sys.argv[1]))
    await asyncio.Event().wait()
if sys.argv[2] == "uvloop":
    import uvloop; uvloop.run(main())
else:
    asyncio.run(main())
"""

STUB = {"request": {"method": "GET", "url": "/hello"},
        "response": {"status": 200, "body": "hello world",
                     "headers": {"Content-Type": "text/plain"}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start")


def wrk(port: int, duration: int) -> float:
    out = subprocess.run(["wrk", "-t1", "-c50", f"-d{duration}s", f"http://127.0.0.1:{port}/hello"],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None or "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk went wrong:\n{out}")
    return float(match.group(1))


def start(name: str, root: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    loop, _, mode = name.partition(" ")
    if mode == "raw":
        cmd = [sys.executable, "-c", RAW_SERVER, str(port), loop]
    else:
        cmd = [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--root-dir", str(root), "--event-loop", loop]
        if mode == "journal-off":
            cmd += ["--no-request-journal", "--disable-request-logging"]
    with open(log, "wb") as out:  # a file, as container logs are: each flush is a write
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args()
    names = [f"{loop} {mode}" for loop in ("uvloop", "asyncio")
             for mode in ("raw", "journal-off", "journal-on")]
    results: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mappings").mkdir()
        (root / "mappings" / "hello.json").write_text(json.dumps(STUB))
        for round_ in range(args.rounds):
            order = names if round_ % 2 == 0 else list(reversed(names))
            for name in order:
                port = free_port()
                process = start(name, root, port, root / "server.log")
                try:
                    wait_for(port)
                    wrk(port, 1)  # warm-up
                    results[name].append(wrk(port, args.duration))
                finally:
                    process.terminate()
                    process.wait(timeout=30)
    print(f"{'configuration':<22} {'median req/s':>12}  spread (min-max)")
    for name in names:
        values = results[name]
        print(f"{name:<22} {statistics.median(values):>12,.0f}  "
              f"{min(values):,.0f}-{max(values):,.0f}")
    for loop in ("uvloop", "asyncio"):
        off = statistics.median(results[f"{loop} journal-off"])
        on = statistics.median(results[f"{loop} journal-on"])
        raw = statistics.median(results[f"{loop} raw"])
        print(f"{loop}: journal-off / raw = {off / raw:.2f}, journal-on / journal-off = "
              f"{on / off:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
