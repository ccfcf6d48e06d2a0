"""Side-by-side benchmark of mockserver against WireMock 3.13.2 (issue 6).

Runs a real `mockserver serve` and, when its jar is found, a WireMock standalone jar on
loopback and prints the issue's table (ratios are mockserver / WireMock):

    python benchmarks/compare_wiremock.py [--duration 10] [--rounds 3] [--json out.json]
    python benchmarks/compare_wiremock.py --quick          # smoke run, ~1-2 minutes

Throughput: both servers get the same stubs through `POST /__admin/mappings/import`, journal off,
and `wrk -t1 -c50` drives a request mix (first-loaded stub, last-loaded stub, random stubs and one
deliberate 404 in 20, i.e. 5%) generated into a Lua script. The default `--mix api-prefix` is
what real services look like: every URL under `/api/v1/` (40% `urlPath` GET, 20% `urlPath`
POST, 20% `urlPathPattern` like `/api/v1/pattern/3/[0-9]+/detail`, 10% header matchers, 10%
`matchesJsonPath` bodies, the 404 under `/api/v1/` too); `--mix distinct-prefix` is the older
mix in which every regex stub has a first segment of its own. A bare httptools + uvloop server
(raw_ceiling.py) gives the 1-stub ceiling of the machine. Rounds alternate between the servers
(the order swaps every round) and the table quotes medians with the min-max spread. Every
request of the mix is checked once with urllib against each server before wrk runs.

Start-up: spawn to first successful `GET /__admin/mappings`, median of N starts each (empty root
dir); idle RSS is VmRSS read after those starts plus a few requests. Journal cost: mockserver
alone, journal on with a bound, RSS sampled as journalled requests accumulate.

The WireMock jar is `--wiremock-jar PATH` or auto-discovered under benchmarks/.wiremock
(`npm install wiremock@3.13.2` there). Without a jar, mockserver is measured alone and only its
own figures are printed. Python standard library only; needs `wrk` and, for WireMock, `java`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WIREMOCK_DIR = HERE / ".wiremock"
NOT_FOUND_PATH = "/no/such/stub/404"
MAX_STARTUP_S = 60.0
STOP_TIMEOUT_S = 10.0
STOP_MARKER = "wrk-count-reached"


# --------------------------------------------------------------------------------------------
# Stubs and requests


@dataclass(frozen=True)
class Req:
    """One request of the mix, with the status and body the servers must answer."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    status: int = 200
    expect_body: str | None = None


MIXES = ("api-prefix", "distinct-prefix")


def stub(i: int, mix: str = "api-prefix") -> dict[str, Any]:
    """Stub number i of a mix; the kind cycles with i."""
    if mix == "distinct-prefix":
        return {"request": _distinct_prefix_request(i),
                "response": {"status": 200, "body": f"stub {i}"}}
    kind = i % 10
    if kind < 4:
        request: dict[str, Any] = {"method": "GET", "urlPath": f"/api/v1/items/{i}"}
    elif kind < 6:
        request = {"method": "POST", "urlPath": f"/api/v1/orders/{i}",
                   "headers": {"Content-Type": {"contains": "json"}}}
    elif kind < 8:
        request = {"method": "GET", "urlPathPattern": f"/api/v1/pattern/{i}/[0-9]+/detail"}
    elif kind == 8:
        request = {"method": "GET", "urlPath": f"/api/v1/tenants/{i}",
                   "headers": {"X-Tenant": {"equalTo": f"t{i}"},
                               "Accept": {"contains": "json"}}}
    else:
        request = {"method": "POST", "urlPath": f"/api/v1/search/{i}",
                   "bodyPatterns": [{"matchesJsonPath": f"$.items[?(@.id == {i})]"}]}
    return {"request": request, "response": {"status": 200, "body": f"stub {i}"}}


def _distinct_prefix_request(i: int) -> dict[str, Any]:
    kind = i % 5
    if kind == 0:
        return {"method": "GET", "urlPath": f"/api/r{i}/item"}
    if kind == 1:
        return {"method": "POST", "urlPath": f"/api/r{i}/item",
                "headers": {"Content-Type": {"contains": "json"}}}
    if kind == 2:
        return {"method": "GET", "urlPathPattern": f"/pat{i}/[0-9]+"}
    if kind == 3:
        return {"method": "GET", "urlPath": f"/hdr{i}",
                "headers": {"X-Tenant": {"equalTo": f"t{i}"}, "Accept": {"contains": "json"}}}
    return {"method": "POST", "urlPath": f"/json{i}",
            "bodyPatterns": [{"matchesJsonPath": f"$.items[?(@.id == {i})]"}]}


JSON = (("Content-Type", "application/json"),)


def request_for(i: int, mix: str = "api-prefix") -> Req:
    """A request that stub i (and no other stub) matches."""
    body = f"stub {i}"
    if mix == "distinct-prefix":
        kind = i % 5
        if kind == 0:
            return Req("GET", f"/api/r{i}/item", expect_body=body)
        if kind == 1:
            return Req("POST", f"/api/r{i}/item", JSON, json.dumps({"n": i}), expect_body=body)
        if kind == 2:
            return Req("GET", f"/pat{i}/{1000 + i}", expect_body=body)
        if kind == 3:
            return Req("GET", f"/hdr{i}", (("X-Tenant", f"t{i}"), ("Accept", "application/json")),
                       expect_body=body)
        return Req("POST", f"/json{i}", JSON,
                   json.dumps({"items": [{"id": i - 1}, {"id": i}]}), expect_body=body)
    kind = i % 10
    if kind < 4:
        return Req("GET", f"/api/v1/items/{i}", expect_body=body)
    if kind < 6:
        return Req("POST", f"/api/v1/orders/{i}", JSON, json.dumps({"n": i}), expect_body=body)
    if kind < 8:
        return Req("GET", f"/api/v1/pattern/{i}/{1000 + i}/detail", expect_body=body)
    if kind == 8:
        return Req("GET", f"/api/v1/tenants/{i}",
                   (("X-Tenant", f"t{i}"), ("Accept", "application/json")), expect_body=body)
    return Req("POST", f"/api/v1/search/{i}", JSON,
               json.dumps({"items": [{"id": i - 1}, {"id": i}]}), expect_body=body)


def not_found(mix: str) -> Req:
    """The mix's deliberate 404: under `/api/v1/` for the realistic mix, near many stubs."""
    if mix == "distinct-prefix":
        return Req("GET", NOT_FOUND_PATH, status=404)
    return Req("GET", "/api/v1/items/404/missing", status=404)


def import_body(count: int, mix: str = "api-prefix") -> dict[str, Any]:
    # Import applies its list in reverse (the last element is added first), so stub 0 is the
    # first-loaded stub and stub count-1 the last-loaded one.
    return {"mappings": [stub(i, mix) for i in reversed(range(count))],
            "importOptions": {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": False}}


def request_mix(count: int, size: int, seed: int, mix: str = "api-prefix") -> list[Req]:
    """first-loaded, last-loaded, random stubs, and one 404 -- `size` requests in all."""
    rng = random.Random(seed)
    reqs = [request_for(0, mix), request_for(count - 1, mix)]
    reqs += [request_for(rng.randrange(count), mix) for _ in range(max(0, size - 3))]
    reqs.append(not_found(mix))
    return reqs


def lua_str(text: str) -> str:
    """A Lua 5.1 (LuaJIT) string literal; anything not plainly safe is a decimal escape."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.:;,=+ ")
    return '"' + "".join(ch if ch in safe else "".join(f"\\{b}" for b in ch.encode())
                         for ch in text) + '"'


def wrk_script(mix: list[Req], stop_after: int = 0) -> str:
    """A wrk Lua script that cycles through `mix`. With stop_after, the (single) wrk thread
    stops after that many responses and prints STOP_MARKER, on which run_wrk interrupts wrk
    (wrk.thread:stop() alone leaves wrk sleeping for the rest of its -d duration)."""
    lines = ["local reqs = {}", "local n = 0", "local i = 0", "local done = 0",
             "init = function(args)"]
    for req in mix:
        headers = ", ".join(f"[{lua_str(k)}] = {lua_str(v)}" for k, v in req.headers)
        body = lua_str(req.body) if req.body else "nil"
        lines.append(f"  n = n + 1; reqs[n] = wrk.format({lua_str(req.method)}, "
                     f"{lua_str(req.path)}, {{{headers}}}, {body})")
    lines += ["end",
              "request = function()",
              "  i = i % n + 1",
              "  return reqs[i]",
              "end"]
    if stop_after:
        lines += ["response = function(status, headers, body)",
                  "  done = done + 1",
                  f"  if done == {int(stop_after)} then",
                  f"    io.write({lua_str(STOP_MARKER)} .. \"\\n\"); io.flush()",
                  "    wrk.thread:stop()",
                  "  end",
                  "end"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# HTTP and processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(base: str, req: Req, timeout: float = 120.0) -> tuple[int, bytes]:
    data = req.body.encode() if req.body else None
    request = urllib.request.Request(base + req.path, data=data, method=req.method,
                                     headers=dict(req.headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, bytes(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, bytes(exc.read())


def admin(base: str, method: str, path: str, body: object = None, timeout: float = 600.0) -> bytes:
    req = Req(method, path, (("Content-Type", "application/json"),),
              "" if body is None else json.dumps(body))
    status, data = http(base, req, timeout)
    if status >= 300:
        raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
    return data


def rss_kb(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    if not match:
        raise RuntimeError(f"no VmRSS for pid {pid}")
    return int(match.group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    cwd: Path
    stderr_file: Path
    proc: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        began = time.perf_counter()
        with open(self.stderr_file, "wb") as err:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        RUNNING.append(self)
        probe = Req("GET", "/__admin/mappings")
        while time.perf_counter() - began < MAX_STARTUP_S:
            if self.proc.poll() is not None:
                tail = self.stderr_file.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} at start:\n"
                                   f"{tail}")
            try:
                status, _ = http(self.base, probe, timeout=5)
                if status == 200:
                    self.started_in = time.perf_counter() - began
                    return self
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer within {MAX_STARTUP_S:.0f} s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if self in RUNNING:
            RUNNING.remove(self)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)

    def rss_kb(self) -> int:
        assert self.proc is not None
        return rss_kb(self.proc.pid)

    def wait_idle(self, max_s: float, window: float = 0.5, busy: float = 0.1) -> float:
        """Wait (at most max_s) until the server uses under `busy` of a core over `window`.

        A slow server keeps working through the requests wrk left in flight; without this it
        would steal the cores from the other server's next round. Returns the seconds waited.
        """
        assert self.proc is not None
        began = time.perf_counter()
        before = cpu_seconds(self.proc.pid)
        while time.perf_counter() - began < max_s:
            time.sleep(window)
            now = cpu_seconds(self.proc.pid)
            if now - before < busy * window:
                break
            before = now
        return time.perf_counter() - began


RUNNING: list[Server] = []


def stop_all() -> None:
    for server in RUNNING:
        try:
            server.stop()
        except Exception as exc:  # noqa: BLE001 - keep stopping the others
            print(f"warning: could not stop {server.name}: {exc}", file=sys.stderr)


MOCKSERVER_PYTHON: str | None = None  # --python


def mockserver_python() -> str:
    """`--python`, else the repo's venv interpreter when there is one, else the one running
    this script."""
    if MOCKSERVER_PYTHON is not None:
        return MOCKSERVER_PYTHON
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


MOCKSERVER_DIR = REPO


def mockserver(root: Path, *extra: str) -> Server:
    """`python -m mockserver serve` run from MOCKSERVER_DIR, whose mockserver/ package then
    comes first on sys.path (so --mockserver-dir can point at another checkout)."""
    port = free_port()
    argv = [mockserver_python(), "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--root-dir", str(root), "--log-format", "json", *extra]
    return Server("mockserver", argv, port, MOCKSERVER_DIR, root.parent / f"mockserver-{port}.err")


def wiremock(jar: Path, root: Path, java_opts: list[str]) -> Server:
    port = free_port()
    argv = ["java", *java_opts, "-jar", str(jar), "--port", str(port), "--bind-address",
            "127.0.0.1", "--disable-banner", "--root-dir", str(root), "--no-request-journal",
            "--disable-request-logging"]
    return Server("WireMock", argv, port, root.parent, root.parent / f"wiremock-{port}.err")


def find_jar(explicit: str | None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            sys.exit(f"--wiremock-jar {explicit}: no such file")
        return path
    if WIREMOCK_DIR.is_dir():
        jars = sorted(WIREMOCK_DIR.glob("node_modules/wiremock/**/wiremock-standalone-*.jar"))
        if jars:
            return jars[-1]
    return None


# --------------------------------------------------------------------------------------------
# wrk


@dataclass
class WrkResult:
    rate: float
    requests: int
    non2xx: int
    timeouts: int
    errors: int
    p99_ms: float = float("nan")


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(base: str, script: Path, duration: float, connections: int,
            timeout_s: float) -> WrkResult:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
            f"--timeout={max(1, round(timeout_s))}s", "-s", str(script), base + "/"]
    limit = duration + timeout_s + 60
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout is not None
            head = []
            # wrk prints nothing before its summary except our marker (a script that counts).
            for line in proc.stdout:
                if line.strip() == STOP_MARKER:
                    proc.send_signal(signal.SIGINT)  # wrk stops and prints its summary
                    break
                head.append(line)
            rest, err = proc.communicate(timeout=limit)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out = "".join(head) + rest
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err or out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    return WrkResult(
        rate=float(rate.group(1)) if rate else 0.0,
        requests=int(total.group(1)) if total else 0,
        non2xx=int(non2xx.group(1)) if non2xx else 0,
        timeouts=int(sock.group(4)) if sock else 0,
        errors=sum(int(sock.group(k)) for k in (1, 2, 3)) if sock else 0,
        p99_ms=float(p99.group(1)) * _UNIT_MS[p99.group(2)] if p99 else float("nan"),
    )


def check_mix(server: Server, mix: list[Req]) -> None:
    """Every request of the mix, once, with urllib: the 404 must be 404, the others 200."""
    for req in dict.fromkeys(mix):
        status, body = http(server.base, req)
        if status != req.status or (req.expect_body is not None
                                    and body.decode(errors="replace") != req.expect_body):
            raise RuntimeError(f"{server.name}: {req.method} {req.path} -> {status} "
                               f"{body[:200]!r}, expected {req.status} {req.expect_body!r}")


# --------------------------------------------------------------------------------------------
# Measurements


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float]) -> list[float]:
    return [min(values), max(values)] if values else []


def settle(server: Server, args: argparse.Namespace) -> None:
    waited = server.wait_idle(args.settle_max)
    if waited > 2:
        log(f"  {server.name} was still busy after wrk stopped; waited {waited:.1f} s"
            f"{' (gave up)' if waited >= args.settle_max else ''}")


def throughput(servers: list[Server], counts: list[int], args: argparse.Namespace,
               work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for count in counts:
        mix = request_mix(count, args.mix_size, args.seed + count, args.mix)
        script = work / f"mix{count}.lua"
        script.write_text(wrk_script(mix))
        body = import_body(count, args.mix)
        row: dict[str, Any] = {"stubs": count, "mix_size": len(mix),
                               "expected_404_share": 1 / len(mix)}
        for server in servers:
            t0 = time.perf_counter()
            admin(server.base, "POST", "/__admin/reset")
            admin(server.base, "POST", "/__admin/mappings/import", body)
            loaded = time.perf_counter() - t0
            check_mix(server, mix)
            # Warm-up: WireMock's JIT needs its 15 s; mockserver gets a short one too.
            warm = args.warmup if server.name == "WireMock" else args.mock_warmup
            log(f"{count} stubs: {server.name} imported in {loaded:.1f} s, mix verified, "
                f"warming up {warm:.0f} s")
            run_wrk(server.base, script, warm, args.connections, args.wrk_timeout)
            settle(server, args)
            row[server.name] = {"import_s": loaded, "rounds": []}
        for rnd in range(args.rounds):
            order = servers if rnd % 2 == 0 else list(reversed(servers))
            for server in order:
                res = run_wrk(server.base, script, args.duration, args.connections,
                              args.wrk_timeout)
                expected = res.requests / len(mix)
                log(f"{count} stubs, round {rnd + 1}: {server.name} {res.rate:,.0f} req/s "
                    f"({res.requests} requests, non-2xx {res.non2xx} ~expected "
                    f"{expected:.0f}, timeouts {res.timeouts}, socket errors {res.errors})")
                row[server.name]["rounds"].append(vars(res))
                settle(server, args)
        for server in servers:
            rates = [r["rate"] for r in row[server.name]["rounds"]]
            row[server.name]["median"] = median(rates)
            row[server.name]["spread"] = spread(rates)
            row[server.name]["p99_ms"] = median([r["p99_ms"] for r in row[server.name]["rounds"]])
            row[server.name]["rss_mb"] = server.rss_kb() / 1024
            bad = [r for r in row[server.name]["rounds"]
                   if r["non2xx"] > 1.5 * r["requests"] / len(mix) + 2 * args.connections]
            row[server.name]["unexpected_non2xx"] = bool(bad)
        if len(servers) == 2:
            per_round = [a["rate"] / b["rate"] for a, b in
                         zip(row["mockserver"]["rounds"], row["WireMock"]["rounds"], strict=True)
                         if b["rate"] > 0]
            row["ratio"] = (row["mockserver"]["median"] / row["WireMock"]["median"]
                            if row["WireMock"]["median"] > 0 else float("inf"))
            row["ratio_per_round"] = per_round
        results[str(count)] = row
    return results


def raw_ceiling(args: argparse.Namespace, work: Path) -> dict[str, Any] | None:
    """The same wrk rounds against raw_ceiling.py: one pre-encoded answer, no framework."""
    python = mockserver_python()
    probe = subprocess.run([python, "-c", "import httptools, uvloop"], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        log("raw ceiling skipped: httptools/uvloop missing (pip install -e '.[bench]')")
        return None
    port = free_port()
    server = Server("raw ceiling", [python, str(HERE / "raw_ceiling.py"), "--port", str(port)],
                    port, HERE, work / f"raw-{port}.err").start()
    script = work / "raw.lua"
    script.write_text(wrk_script([Req("GET", "/api/v1/items/0")]))
    try:
        run_wrk(server.base, script, args.mock_warmup, args.connections, args.wrk_timeout)
        rounds = []
        for rnd in range(args.rounds):
            res = run_wrk(server.base, script, args.duration, args.connections,
                          args.wrk_timeout)
            log(f"raw ceiling, round {rnd + 1}: {res.rate:,.0f} req/s, p99 {res.p99_ms:.1f} ms")
            rounds.append(vars(res))
    finally:
        server.stop()
    rates = [r["rate"] for r in rounds]
    return {"rounds": rounds, "median": median(rates), "spread": spread(rates),
            "p99_ms": median([r["p99_ms"] for r in rounds])}


def startup(jar: Path | None, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Spawn-to-first-admin-answer and idle RSS, alternating starts, empty root dir."""
    empty = work / "empty"
    (empty / "mappings").mkdir(parents=True, exist_ok=True)
    (empty / "__files").mkdir(parents=True, exist_ok=True)
    makers = [lambda: mockserver(empty, "--no-request-journal", "--disable-request-logging")]
    if jar:
        makers.append(lambda: wiremock(jar, empty, args.java_opts))
    out: dict[str, Any] = {}
    few = [Req("GET", "/__admin/mappings"), Req("GET", "/nothing", status=404),
           Req("GET", "/__admin/health")]
    for n in range(args.starts):
        for make in makers:
            server = make()
            try:
                server.start()
                for req in few * 3:
                    http(server.base, req)
                time.sleep(args.idle_settle)
                entry = out.setdefault(server.name, {"start_s": [], "idle_rss_mb": []})
                entry["start_s"].append(server.started_in)
                entry["idle_rss_mb"].append(server.rss_kb() / 1024)
                log(f"start {n + 1}: {server.name} answered in {server.started_in * 1000:.0f} ms,"
                    f" idle RSS {entry['idle_rss_mb'][-1]:.1f} MB")
            finally:
                server.stop()
    for entry in out.values():
        entry["start_median_s"] = median(entry["start_s"])
        entry["idle_rss_median_mb"] = median(entry["idle_rss_mb"])
    return out


def journal_cost(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """mockserver with the journal on: RSS per journalled request, and flatness past the bound."""
    bound = args.journal_bound
    root = work / "journal"
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    server = mockserver(root, "--max-request-journal-entries", str(bound)).start()
    try:
        admin(server.base, "POST", "/__admin/mappings/import", {"mappings": [
            {"request": {"method": "POST", "urlPath": "/journal/item",
                         "headers": {"Content-Type": {"contains": "json"}}},
             "response": {"status": 200, "body": "ok"}}]})
        req = Req("POST", "/journal/item", (("Content-Type", "application/json"),),
                  json.dumps({"id": 12345, "name": "a small body", "tags": ["a", "b"]}),
                  expect_body="ok")
        check_mix(server, [req])
        warm = work / "journal-warm.lua"
        warm.write_text(wrk_script([req], stop_after=min(2000, bound // 2)))
        run_wrk(server.base, warm, 60, 10, args.wrk_timeout)
        admin(server.base, "DELETE", "/__admin/requests")
        time.sleep(args.idle_settle)
        base_rss = server.rss_kb()
        checkpoints = [bound // 2, bound, bound * 3 // 2, bound * 2]
        samples: list[dict[str, Any]] = [{"sent": 0, "rss_kb": base_rss}]
        sent = 0
        for target in checkpoints:
            script = work / f"journal{target}.lua"
            script.write_text(wrk_script([req], stop_after=target - sent))
            res = run_wrk(server.base, script, args.journal_max_s, 10, args.wrk_timeout)
            sent += res.requests
            time.sleep(args.idle_settle)
            samples.append({"sent": sent, "rss_kb": server.rss_kb(), "non2xx": res.non2xx})
            log(f"journal: {sent} requests sent, RSS {samples[-1]['rss_kb'] / 1024:.1f} MB")
        at_bound = samples[2]
        growth_to_bound = at_bound["rss_kb"] - base_rss
        per_request_kb = growth_to_bound / max(1, at_bound["sent"])
        growth_after = samples[-1]["rss_kb"] - at_bound["rss_kb"]
        flat_limit_kb = max(2048.0, 0.10 * growth_to_bound)
        return {"bound": bound, "samples": samples, "per_request_kb": per_request_kb,
                "growth_after_bound_kb": growth_after, "flat_limit_kb": flat_limit_kb,
                "flat": growth_after <= flat_limit_kb}
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------
# Report


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fmt_rate(entry: dict[str, Any]) -> str:
    lo, hi = entry["spread"]
    return f"{entry['median']:,.0f}/s ({lo:,.0f}-{hi:,.0f})"


def table(res: dict[str, Any], has_wm: bool) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    tp = res["throughput"]
    goals = {1: 2.0, 1000: 10.0, 10000: 60.0}
    for key, row in tp.items():
        count = int(key)
        mock = row["mockserver"]
        goal = goals.get(count)
        target = f">= {goal:g}x WireMock" if goal else "(no target)"
        if has_wm:
            wm = row["WireMock"]
            pr = row["ratio_per_round"]
            measured = (f"{row['ratio']:.2f}x [rounds {min(pr):.2f}-{max(pr):.2f}]; "
                        f"mock {fmt_rate(mock)}, WM {fmt_rate(wm)}" if pr else "n/a")
            ok = row["ratio"] >= goal if goal else None
        else:
            measured = f"mock {fmt_rate(mock)}"
            ok = None
        for name, short in (("mockserver", "mock"), ("WireMock", "WM")):
            lost = sum(r["timeouts"] + r["errors"] for r in row.get(name, {}).get("rounds", []))
            if lost:
                measured += f"; {short} {lost} timeouts/socket errors"
        if mock["unexpected_non2xx"] or (has_wm and row["WireMock"]["unexpected_non2xx"]):
            measured += " !! unexpected non-2xx"
        label = f"requests/s at {count:,} stub{'s' if count != 1 else ''}"
        rows.append((label, measured, target, verdict(ok)))
    if "1" in tp and "10000" in tp:
        own = tp["10000"]["mockserver"]["median"] / tp["1"]["mockserver"]["median"]
        rows.append(("  10,000 stubs vs own 1 stub", f"{own:.2f}x", ">= 0.8x",
                     verdict(own >= 0.8)))
    if "10000" in tp:
        p99 = tp["10000"]["mockserver"]["p99_ms"]
        rows.append(("p99 latency at 10,000 stubs", f"{p99:.1f} ms", "<= 5 ms",
                     verdict(p99 <= 5.0)))
    raw = res.get("raw_ceiling")
    if raw and "1" in tp:
        share = tp["1"]["mockserver"]["median"] / raw["median"]
        rows.append(("  1 stub vs raw httptools ceiling", f"{share:.2f}x", ">= 0.5x",
                     verdict(share >= 0.5)))
    st = res.get("startup")
    if st is None:
        pass
    elif has_wm:
        mock_st = st["mockserver"]
        wm_st = st["WireMock"]
        ratio = mock_st["start_median_s"] / wm_st["start_median_s"]
        rows.append(("start to first admin answer",
                     (f"{ratio:.2f}x; mock {mock_st['start_median_s'] * 1000:.0f} ms "
                     f"({min(mock_st['start_s']) * 1000:.0f}-{max(mock_st['start_s']) * 1000:.0f})"
                     f", WM {wm_st['start_median_s'] * 1000:.0f} ms "
                     f"({min(wm_st['start_s']) * 1000:.0f}-{max(wm_st['start_s']) * 1000:.0f})"),
                     "<= 0.4x WireMock", verdict(ratio <= 0.4)))
        ratio = mock_st["idle_rss_median_mb"] / wm_st["idle_rss_median_mb"]
        rows.append(("idle RSS", (f"{ratio:.2f}x; mock {mock_st['idle_rss_median_mb']:.1f} MB, "
                     f"WM {wm_st['idle_rss_median_mb']:.1f} MB"), "<= 0.5x WireMock",
                     verdict(ratio <= 0.5)))
    else:
        mock_st = st["mockserver"]
        rows.append(("start to first admin answer",
                     f"mock {mock_st['start_median_s'] * 1000:.0f} ms", "<= 0.4x WireMock",
                     "n/a"))
        rows.append(("idle RSS", f"mock {mock_st['idle_rss_median_mb']:.1f} MB",
                     "<= 0.5x WireMock", "n/a"))
    jr = res.get("journal")
    if jr:
        rows.append((f"journal cost (bound {jr['bound']:,})",
                     (f"{jr['per_request_kb']:.2f} kB/request; "
                     f"{jr['growth_after_bound_kb'] / 1024:+.1f} MB from {jr['bound']:,} to "
                     f"{jr['samples'][-1]['sent']:,} requests "
                     f"({'flat' if jr['flat'] else 'NOT flat'})"),
                     "<= 2 kB/request; flat past the bound",
                     verdict(jr["per_request_kb"] <= 2.0 and jr["flat"])))
    return rows


def throughput_rows(res: dict[str, Any], has_wm: bool) -> list[tuple[str, ...]]:
    """Per stub count: req/s median (min-max) and p99 per server, the ratio, and the share of
    mockserver's own 1-stub rate; then the raw ceiling."""
    rows: list[tuple[str, ...]] = []
    tp = res["throughput"]
    one = tp.get("1", {}).get("mockserver", {}).get("median")
    for key, row in tp.items():
        mock = row["mockserver"]
        own = f"{mock['median'] / one:.2f}x" if one else "n/a"
        wm = row.get("WireMock")
        rows.append((f"{int(key):,}", fmt_rate(mock), f"{mock['p99_ms']:.1f} ms",
                     fmt_rate(wm) if wm else "n/a",
                     f"{wm['p99_ms']:.1f} ms" if wm else "n/a",
                     f"{row['ratio']:.2f}x" if has_wm and "ratio" in row else "n/a", own))
    raw = res.get("raw_ceiling")
    if raw:
        rows.append(("raw ceiling", fmt_rate(raw), f"{raw['p99_ms']:.1f} ms", "", "", "",
                     f"mock 1 stub = {one / raw['median']:.2f}x of it" if one else ""))
    return rows


THROUGHPUT_HEADS = ("stubs", "mockserver req/s", "p99", "WireMock req/s", "p99",
                    "mock/WM", "mock vs own 1 stub")


def print_table(rows: list[tuple[str, ...]],
                heads: tuple[str, ...] = ("measure", "measured (mockserver/WireMock)", "target",
                                          "result")) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--wiremock-jar", help="WireMock standalone jar (default: found under "
                        "benchmarks/.wiremock); without one, mockserver is measured alone")
    parser.add_argument("--mockserver-dir", default=str(REPO),
                        help="checkout whose mockserver/ package is measured (default: this "
                        "repo), e.g. a `git archive` export of a given commit")
    parser.add_argument("--python", default=None,
                        help="interpreter to run mockserver with, e.g. that of a venv made with "
                        "a plain `pip install .` (the dev venv also loads test tools, which "
                        "shows in start time and memory); default: the repo's .venv")
    parser.add_argument("--no-wiremock", action="store_true", help="ignore any jar")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--counts", default="1,1000,10000", help="stub counts")
    parser.add_argument("--warmup", type=float, default=15,
                        help="WireMock warm-up seconds at each stub count (at least 15 s)")
    parser.add_argument("--mock-warmup", type=float, default=3,
                        help="mockserver warm-up seconds at each stub count")
    parser.add_argument("--wrk-timeout", type=float, default=10,
                        help="wrk per-request timeout (slow WireMock answers count as timeouts)")
    parser.add_argument("--settle-max", type=float, default=60,
                        help="after each wrk run, wait up to this long for the server to go "
                        "idle (it may still be working through requests left in flight)")
    parser.add_argument("--mix-size", type=int, default=20,
                        help="requests in the cycled mix (first, last, random..., one 404)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--mix", choices=MIXES, default="api-prefix",
                        help="api-prefix: every URL under /api/v1/ (regexes share it); "
                        "distinct-prefix: every regex stub has its own first segment")
    parser.add_argument("--skip-startup", action="store_true",
                        help="leave out the start-up and idle RSS measurement")
    parser.add_argument("--skip-raw", action="store_true",
                        help="leave out the raw ceiling (raw_ceiling.py)")
    parser.add_argument("--starts", type=int, default=5, help="starts per server for start-up")
    parser.add_argument("--idle-settle", type=float, default=0.5,
                        help="seconds to wait before reading RSS")
    parser.add_argument("--journal-bound", type=int, default=20000,
                        help="mockserver --max-request-journal-entries for the journal test")
    parser.add_argument("--journal-max-s", type=float, default=60,
                        help="time bound for each journal wrk run")
    parser.add_argument("--skip-journal", action="store_true")
    parser.add_argument("--java-opts", default="", help="extra JVM options, space-separated")
    parser.add_argument("--json", help="write raw numbers to this file")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: --duration 2 --rounds 1 --warmup 3 --mock-warmup 1 "
                        "--starts 2 --journal-bound 4000")
    pre, _ = parser.parse_known_args(argv)
    if pre.quick:  # quick changes the defaults; options given explicitly still win
        parser.set_defaults(duration=2, rounds=1, warmup=3, mock_warmup=1, starts=2,
                            journal_bound=4000)
    args = parser.parse_args(argv)
    args.java_opts = args.java_opts.split()
    if args.rounds < 1 or args.starts < 1 or args.mix_size < 3 or args.journal_bound < 4:
        parser.error("--rounds and --starts must be >= 1, --mix-size >= 3, "
                     "--journal-bound >= 4")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    global MOCKSERVER_DIR, MOCKSERVER_PYTHON
    MOCKSERVER_DIR = Path(args.mockserver_dir).resolve()
    MOCKSERVER_PYTHON = args.python
    if not (MOCKSERVER_DIR / "mockserver" / "__main__.py").is_file():
        sys.exit(f"--mockserver-dir {MOCKSERVER_DIR}: no mockserver/__main__.py there")
    jar = None if args.no_wiremock else find_jar(args.wiremock_jar)
    if jar and shutil.which("java") is None:
        sys.exit("java is needed to run the WireMock jar")
    counts = [int(c) for c in args.counts.split(",") if c.strip()]
    if jar:
        log(f"WireMock jar: {jar}")
        if not args.quick and args.warmup < 15:
            log("warning: WireMock warm-up under 15 s; its figures will be low")
    else:
        log("no WireMock jar found (npm install wiremock@3.13.2 in benchmarks/.wiremock, or "
            "--wiremock-jar): measuring mockserver alone")

    # SIGTERM -> SystemExit so the finally blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    work = Path(tempfile.mkdtemp(prefix="compare-wiremock-"))
    results: dict[str, Any] = {
        "mockserver_dir": str(MOCKSERVER_DIR), "python": sys.version.split()[0],
        "cpus": os.cpu_count(), "wiremock_jar": str(jar or ""),
        "settings": {k: v for k, v in vars(args).items() if k != "json"},
        "loadavg_before": os.getloadavg(),
    }
    began = time.perf_counter()
    try:
        if not args.skip_startup:
            results["startup"] = startup(jar, args, work)
        if not args.skip_raw:
            results["raw_ceiling"] = raw_ceiling(args, work)
        empty = work / "empty"
        (empty / "mappings").mkdir(parents=True, exist_ok=True)  # also when startup was skipped
        servers = [mockserver(empty, "--no-request-journal", "--disable-request-logging").start()]
        if jar:
            servers.append(wiremock(jar, empty, args.java_opts).start())
        try:
            results["throughput"] = throughput(servers, counts, args, work)
        finally:
            for server in servers:
                server.stop()
        if not args.skip_journal:
            results["journal"] = journal_cost(args, work)
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    results["loadavg_after"] = os.getloadavg()
    results["elapsed_s"] = time.perf_counter() - began

    print()
    wm = "WireMock 3.13.2 jar " + jar.name if jar else "NO WireMock jar: mockserver figures only"
    print(f"mockserver vs {wm}; python {results['python']}, {results['cpus']} cpus, "
          f"wrk -t1 -c{args.connections} -d{args.duration:g}s x {args.rounds} alternating "
          f"round(s), journal off; load avg before {results['loadavg_before'][0]:.2f}, "
          f"after {results['loadavg_after'][0]:.2f}")
    print(f"mix {args.mix}; throughput: median req/s (min-max over rounds), p99 latency "
          "(median over rounds); ratio = mockserver/WireMock medians")
    print()
    print_table(throughput_rows(results, bool(jar)), THROUGHPUT_HEADS)
    print()
    rows = table(results, bool(jar))
    print_table(rows)
    keys = ("measure", "measured", "target", "result")
    results["table"] = [dict(zip(keys, r, strict=True)) for r in rows]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nraw numbers: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
