"""Hot reload under files rewritten in place: how many answers are wrong while it goes on.

    python benchmarks/reload_rewrite.py [--duration 20] [--files 20] [--poll 0.05]

Starts `mockserver serve --watch` (polling every --poll seconds, or file events with
--poll 0) on a folder of stub files, then for --duration seconds one thread rewrites the files
in place (open("w"), write, close: the way editors and scripts without atomic renames do) while
another asks for every stub in turn. An answer is wrong when it is not 200 with a complete body
(`<file>:<generation>:` and the padding); a stale generation is not wrong.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PAD = "x" * 4000


def stub(index: int, generation: int) -> str:
    return (f"request: {{method: GET, url: /f{index}}}\n"
            f"response:\n  status: 200\n  body: 'f{index}:{generation}:{PAD}'\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.05, help="0: file events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mappings").mkdir()
        for i in range(args.files):
            (root / "mappings" / f"f{i}.yaml").write_text(stub(i, 0))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        watch = ["--watch-poll", str(args.poll)] if args.poll else ["--watch"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--root-dir",
             str(root), "--disable-request-logging", *watch],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run(root, port, args)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def run(root: Path, port: int, args: argparse.Namespace) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    deadline = time.monotonic() + 30
    while True:
        try:
            conn.request("GET", "/__admin/health")
            conn.getresponse().read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    stop = threading.Event()
    rewrites = 0

    def writer() -> None:
        nonlocal rewrites
        generation = 0
        rng = random.Random(1)
        while not stop.is_set():
            generation += 1
            index = rng.randrange(args.files)
            path = root / "mappings" / f"f{index}.yaml"
            text = stub(index, generation).encode()
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
            try:
                os.write(fd, text[: len(text) // 2])
                time.sleep(0.001)  # a writer is not instantaneous
                os.write(fd, text[len(text) // 2:])
            finally:
                os.close(fd)
            rewrites += 1
            time.sleep(0.005)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    total = wrong = 0
    kinds: dict[str, int] = {}
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        index = total % args.files
        conn.request("GET", f"/f{index}")
        reply = conn.getresponse()
        body = reply.read().decode()
        total += 1
        ok = reply.status == 200 and body.startswith(f"f{index}:") and body.endswith(PAD)
        if not ok:
            wrong += 1
            kind = f"{reply.status} {'empty' if not body else 'partial'}"
            kinds[kind] = kinds.get(kind, 0) + 1
    stop.set()
    thread.join()
    print(f"{total} answers, {wrong} wrong {kinds}, {rewrites} rewrites in {args.duration:.0f} s")


if __name__ == "__main__":
    main()
