"""Many stubs on one URL that differ only by a long `equalTo` body: one POST, timed.

    python benchmarks/bench_same_url_bodies.py [--stubs 300] [--length 310]

The matching POST hits the first-added stub, so every other stub is asked first; the
unmatched POST is graded against all of them for the near-miss report. Finding the stub
asks matchers only the yes/no question, so it should not grow with body length; the 404
pays for edit distances (on input capped at `MAX_COMPARED` characters). Prints timings;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import urllib.error
import urllib.request

from mockserver.api import MockServer


def post(url: str, body: str) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stubs", type=int, default=300)
    parser.add_argument("--length", type=int, default=310)
    args = parser.parse_args()

    def body(i: int) -> str:
        return f"{i:04d}".ljust(args.length, "x")

    with tempfile.TemporaryDirectory() as root, MockServer(root_dir=root) as server:
        for i in range(args.stubs):
            request = {"method": "POST", "url": "/one", "bodyPatterns": [{"equalTo": body(i)}]}
            server.stub({"request": request, "response": {"status": 200, "body": str(i)}})
        cases = (("matched", body(0)), ("unmatched (near misses)", "y" * args.length))
        for label, payload in cases:
            status, seconds = post(server.url + "/one", payload)
            print(f"{label:<24} {status}  {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
