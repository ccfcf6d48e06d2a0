"""What one render may spend: loop steps, time, and characters built.

A stub template runs on the event loop, so a loop of loops or a filter asked for a
gigabyte would stop every other request. Every render gets a fresh `Budget` (a context
variable, so concurrent renders in threads never share one); the code generator counts
each `for` iteration against it and charges every text buffer, `~` concatenation and
sized operation (`*`, `+`, `%`, `center`, `indent`, `format`, `join`, `replace`, ...)
*before* the result is built. Running out is a `SecurityError`, which rendering turns into
the usual template error (a 500 naming the limit).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat

MAX_STEPS = 1_000_000  # `for` iterations per render, nested loops counted together
MAX_SECONDS = 0.5  # wall time per render, checked every CHECK_EVERY steps and text charges
MAX_TEXT = 20_000_000  # characters a render may build in total (buffers, joins, padding)
MAX_VALUE = 10_000_000  # characters (or items) any one value may hold
CHECK_EVERY = 256
_NUMBER = re.compile(r"\d+")


class Budget:
    __slots__ = ("deadline", "steps", "text")

    def __init__(self) -> None:
        self.steps = 0
        self.text = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SecurityError(f"template loops ran more than {MAX_STEPS} times")
        if not self.steps % CHECK_EVERY:
            self._check_time()

    def charge(self, size: int) -> None:
        """Account for a value of `size` characters about to be built."""
        if size > MAX_VALUE:
            raise SecurityError(f"template value would be longer than {MAX_VALUE}")
        self.text += size
        if self.text > MAX_TEXT:
            raise SecurityError(f"template built more than {MAX_TEXT} characters")
        if size > 4096:
            self._check_time()

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"template took longer than {MAX_SECONDS} s")


_CURRENT: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def spending() -> Iterator[Budget]:
    """A fresh budget for the render inside the `with` block."""
    budget = Budget()
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current() -> Budget:
    """The running render's budget (a throwaway one outside `spending`, still bounded)."""
    budget = _CURRENT.get()
    return budget if budget is not None else Budget()


class Counted:
    """A loop's iterable, one step charged per item; keeps `len` for `loop.length`."""

    __slots__ = ("_budget", "_items")

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items
        self._budget = current()

    def __len__(self) -> int:
        if isinstance(self._items, Sized):
            return len(self._items)
        raise TypeError("no length")

    def __iter__(self) -> Iterator[Any]:
        step = self._budget.step
        for item in self._items:
            step()
            yield item


class CappedBuffer(list[str]):
    """A block's output (`{% set x %}`, macros, filters over blocks), charged as it grows."""

    def append(self, item: str) -> None:
        current().charge(len(item))
        super().append(item)

    def extend(self, items: Iterable[str]) -> None:
        items = list(items)
        current().charge(sum(len(i) for i in items))
        super().extend(items)


def checked_concat(parts: Iterable[Any]) -> str:
    """`a ~ b`: charged before it is joined."""
    texts = [p if isinstance(p, str) else str(p) for p in parts]
    current().charge(sum(map(len, texts)))
    return "".join(texts)


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator with buffers, `~` and `for` routed through the budget."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.capped_buffer()")

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


# --- sizes of results, estimated before they are built ----------------------------------


def _len(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else len(str(value))


def _int(value: Any) -> int:
    return abs(value) if isinstance(value, int) and not isinstance(value, bool) else 0


def padded_size(text: Any, *args: Any, **kwargs: Any) -> int:
    """`center`, `ljust`, `rjust`, `zfill`, `expandtabs`: the text or the width asked for."""
    width = max([_int(a) for a in (*args, *kwargs.values())] or [0])
    if isinstance(text, str) and "\t" in text:
        return len(text) + text.count("\t") * max(width, 8)
    return max(_len(text), width)


def indent_size(text: Any, width: Any = 4, *args: Any, **kwargs: Any) -> int:
    lines = str(text).count("\n") + 1
    pad = _int(width) if not isinstance(width, str) else len(width)
    return _len(text) + lines * pad


def format_size(fmt: Any, *args: Any, **kwargs: Any) -> int:
    """A generous upper bound: the format, every argument, every number in the format (its
    widths and precisions) and every integer argument (a `*` width)."""
    text = str(fmt)
    values = [*args, *kwargs.values()]
    if len(values) == 1 and isinstance(values[0], (tuple, dict)):
        values = list(values[0].values() if isinstance(values[0], dict) else values[0])
    widths = sum(int(n) if len(n) < 12 else MAX_VALUE + 1 for n in _NUMBER.findall(text))
    return len(text) + sum(_len(v) + _int(v) for v in values) + widths


def join_size(items: Any, separator: Any = "", *args: Any, **kwargs: Any) -> int:
    if not isinstance(items, (list, tuple)):
        return 0
    sep = separator if isinstance(separator, str) else ""
    return sum(_len(i) for i in items) + len(sep) * len(items)


def replace_size(text: Any, old: Any = "", new: Any = "", count: Any = -1, *_: Any,
                 **__: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    hits = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(0, len(new) - len(old))


def product_size(seq: Any, count: Any) -> int:
    """`seq * count`; a list of strings counts its characters too (`["x" * 10**6] * 10**6`)."""
    if isinstance(seq, str):
        return len(seq) * _int(count)
    if isinstance(seq, (list, tuple)):
        inner = sum(len(i) for i in seq if isinstance(i, str))
        return max(len(seq), inner) * _int(count)
    return 0


STR_METHOD_SIZES = {
    "center": padded_size, "ljust": padded_size, "rjust": padded_size, "zfill": padded_size,
    "expandtabs": padded_size, "replace": replace_size, "format": format_size,
    "format_map": format_size,
}  # fmt: skip

FILTER_SIZES = {
    "center": padded_size, "indent": indent_size, "format": format_size, "join": join_size,
    "replace": replace_size,
}  # fmt: skip


def sized_filter(function: Any, size: Any) -> Any:
    """A filter that charges its result's estimated size before building it."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        plain = args[1:] if getattr(function, "jinja_pass_arg", None) else args
        if plain:
            current().charge(size(*plain, **kwargs))
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):
        if hasattr(function, attribute):
            setattr(checked, attribute, getattr(function, attribute))
    return checked

