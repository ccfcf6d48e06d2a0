"""`mockserver serve --workers N`: N processes serving one port, for more than one core.

The kernel spreads connections over the processes (SO_REUSEPORT); they answer as one server
only because they share their state through the store (`--store`), so without one this
refuses to start. The parent reserves the port, forks the workers before any event loop or
thread exists, forwards SIGINT/SIGTERM, and stops them all when one of them ends (a
`POST /__admin/shutdown` reaching any worker stops the whole server).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from mockserver.settings import ServerOptions

NEEDS_STORE = ("mockserver: --workers {n} needs a shared store: each worker is its own process, "
               "and without one a stub created through one worker is unknown to the others and "
               "the journal is split between them. Start Redis and add "
               "--store redis://HOST:6379/0 (or MOCKSERVER_STORE).")


def reserve_port(host: str, port: int) -> socket.socket:
    """A bound, not listening, SO_REUSEPORT socket: fixes the port (0: a free one) for the
    workers, which bind it again; connections only go to listening sockets."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def run_workers(options: ServerOptions, count: int, serve_one: Callable[[ServerOptions], int],
                *, err: TextIO | None = None) -> int:
    """Fork `count` workers running `serve_one`; the first exit status that is not 0, else 0."""
    err = err or sys.stderr
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - Windows
        print("mockserver: --workers needs SO_REUSEPORT (Linux, macOS, BSD)", file=err)
        return 2
    reserved = reserve_port(options.host, options.port)
    worker_options = replace(options, port=reserved.getsockname()[1], reuse_port=True)
    children: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - measured in the worker processes
            reserved.close()
            status = 1
            try:
                status = serve_one(worker_options)
            finally:
                os._exit(status)
        children.append(pid)
    stopping = False

    def stop(signum: int = signal.SIGTERM, frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    try:
        while children:
            pid, code = os.wait()
            if pid in children:
                children.remove(pid)
                exit_code = os.waitstatus_to_exitcode(code)
                if exit_code not in (0, -signal.SIGTERM) and status == 0:
                    status = exit_code if exit_code > 0 else 1
                if not stopping:
                    stop()
    finally:
        reserved.close()
    return status
