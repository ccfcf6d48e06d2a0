"""A real headless Chromium for page tests, driven over the DevTools protocol (CDP).

Debian's `chromium` on a loopback debugging port chosen by the browser; the protocol spoken
over aiohttp's websocket client, so no extra dependency. Tests read the live DOM with
`evaluate` and wait for conditions with `wait_for` (a deadline, not a sleep).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_LISTENING = re.compile(rb"DevTools listening on (ws://[^\s]+)")


class BrowserError(AssertionError):
    """The browser failed, or a page condition never came true."""


class Chromium:
    """`async with Chromium() as browser:` one headless browser with one page."""

    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        self.width, self.height = width, height
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.console: list[str] = []  # console messages and uncaught exceptions, for failures

    async def __aenter__(self) -> Chromium:
        if CHROMIUM is None:
            raise BrowserError("chromium is not installed")
        self._profile = tempfile.mkdtemp(prefix="mockserver-chromium-")
        self._proc = await asyncio.create_subprocess_exec(
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--mute-audio",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            f"--user-data-dir={self._profile}", f"--window-size={self.width},{self.height}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            browser_url = await asyncio.wait_for(self._listening(), 45)
            self._session = aiohttp.ClientSession()
            http_base = "http://" + browser_url.split("/")[2]
            async with self._session.get(f"{http_base}/json/list") as reply:
                targets = await reply.json()
            page = next(t for t in targets if t.get("type") == "page")
            self._ws = await self._session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
            self._tasks.append(asyncio.ensure_future(self._read()))
            await self.send("Runtime.enable")
            await self.send("Page.enable")
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        if getattr(self, "_ws", None) is not None:
            await self._ws.close()
        if getattr(self, "_session", None) is not None:
            await self._session.close()
        if self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 20)
            except asyncio.TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _listening(self) -> str:
        assert self._proc.stderr is not None
        while line := await self._proc.stderr.readline():
            found = _LISTENING.search(line)
            if found:
                self._tasks.append(asyncio.ensure_future(self._drain()))
                return found.group(1).decode()
        raise BrowserError(f"chromium exited ({await self._proc.wait()}) before listening")

    async def _drain(self) -> None:
        """Keep reading chromium's chatter so a full pipe never stalls it."""
        assert self._proc.stderr is not None
        while await self._proc.stderr.readline():
            pass

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
            elif data.get("method") == "Runtime.consoleAPICalled":
                args = data["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", a.get("description")))
                                             for a in args))
            elif data.get("method") == "Runtime.exceptionThrown":
                details = data["params"]["exceptionDetails"]
                self.console.append(str(details.get("exception", {}).get("description")
                                        or details.get("text")))
        for future in self._pending.values():
            future.set_exception(BrowserError("the DevTools connection closed"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_str(json.dumps({"id": message_id, "method": method,
                                            "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})  # type: ignore[no-any-return]

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.send("Runtime.evaluate", expression=expression,
                                 returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Evaluate until the expression is truthy; fail after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if loop.time() > deadline:
                raise BrowserError(f"never true: {expression} (console: {self.console})")
            await asyncio.sleep(0.1)

    async def navigate(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for(f"location.href === {json.dumps(url)} "
                            "&& document.readyState === 'complete'")

    async def click(self, selector: str) -> None:
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    async def screenshot(self, path: Path) -> None:
        await self.send("Emulation.setDeviceMetricsOverride", width=self.width,
                        height=self.height, deviceScaleFactor=1, mobile=False)
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
