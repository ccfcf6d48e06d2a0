"""`mockserver serve` from start to stop: the banner, the stub-file summary, `--strict`.

A person starting the server wants to see at once which version listens where, on which root
folder, with how many stubs, and which files did not load; a CI job wants a non-zero exit when
a stub file is broken (`--strict`) rather than 404s later.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING, TextIO

from mockserver.errors import StubFileError
from mockserver.stubs.validation import describe
from mockserver.version import __version__

if TYPE_CHECKING:  # `mockserver --version` and `validate` do not load aiohttp
    from mockserver.serve.runner import Runner


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`, `0 problems`."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def problems_summary(errors: list[StubFileError]) -> str:
    """The broken stubs as people read them: a count, then one `file:line: ...` each."""
    files = len({error.file for error in errors})
    lines = [(f"mockserver: {plural(len(errors), 'problem')} in {plural(files, 'stub file')} "
              "(those stubs are not served; `mockserver validate` lists every problem):")]
    lines += [f"  {describe(error)}" for error in errors]
    return "\n".join(lines)


async def serve_until_stopped(runner: Runner, *, strict: bool, err: TextIO | None = None) -> int:
    """Start, announce, serve until SIGINT/SIGTERM or `/__admin/shutdown`; the exit status."""
    err = err or sys.stderr
    await runner.start()
    state = runner.state
    errors = list(state.stubs.load_errors)
    if errors:
        print(problems_summary(errors), file=err, flush=True)
        if strict:
            print("mockserver: --strict: not serving with broken stub files", file=err,
                  flush=True)
            await runner.stop()
            return 1
    shutdown = state.runtime.shutdown
    assert shutdown is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, shutdown.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    https = {} if runner.https_port is None else {"https_url": runner.https_url,
                                                  "https_port": runner.https_port}
    state.log.info("server_started", version=__version__, url=runner.url, port=runner.port,
                   **https, root_dir=str(runner.options.root_dir), stubs=len(state.registry),
                   problems=len(errors))
    try:
        await shutdown.wait()
    finally:
        state.log.info("server_stopping")
        await runner.stop()
    return 0
