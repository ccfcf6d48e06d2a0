"""Environment variables as defaults for command-line options (for containers and CI).

Every long option `--some-option` of every subcommand can be given as `MOCKSERVER_SOME_OPTION`;
a flag on the command line still wins. Switches take `true/false`, `1/0`, `yes/no` or `on/off`;
repeatable options take a comma-separated list, to which flags add.
A value that does not convert is reported like a bad flag, naming the variable.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

PREFIX = "MOCKSERVER_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def variable_name(option: str) -> str:
    """`--root-dir` -> `MOCKSERVER_ROOT_DIR`."""
    return PREFIX + option.lstrip("-").upper().replace("-", "_")


def apply_env_defaults(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """Set the defaults of `parser` and its subcommands from `environ`."""
    for sub in _subparsers(parser):
        apply_env_defaults(sub, environ)
    defaults: dict[str, Any] = {}
    for action in parser._actions:  # noqa: SLF001 - argparse exposes no public list
        longs = [o for o in action.option_strings if o.startswith("--")]
        if not longs or action.dest in ("help", "version") or action.default == argparse.SUPPRESS:
            continue
        name = variable_name(longs[0])
        if name in environ:
            if isinstance(action, argparse._AppendAction):  # noqa: SLF001
                items = [item.strip() for item in environ[name].split(",") if item.strip()]
                defaults[action.dest] = [_convert(parser, action, name, i) for i in items]
            else:
                defaults[action.dest] = _convert(parser, action, name, environ[name])
            action.required = False  # the environment gave it
    if defaults:
        parser.set_defaults(**defaults)


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    out: list[argparse.ArgumentParser] = []
    for action in parser._actions:  # noqa: SLF001 - as above
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            out.extend(dict.fromkeys(action.choices.values()))
    return out


def _convert(parser: argparse.ArgumentParser, action: argparse.Action, name: str, raw: str) -> Any:
    if action.nargs == 0:  # a switch (store_true / store_false)
        text = raw.strip().lower()
        if text not in _TRUE | _FALSE:
            parser.error(f"{name}={raw!r}: expected true or false")
        on = text in _TRUE
        return action.const if on else action.default
    try:
        value = action.type(raw) if callable(action.type) else raw
    except argparse.ArgumentTypeError as exc:  # the type's own explanation
        parser.error(f"{name}={raw!r}: {exc}")
    except (TypeError, ValueError):
        type_name = getattr(action.type, "__name__", "value")
        parser.error(f"{name}={raw!r}: invalid {type_name} value")
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(repr, action.choices))
        parser.error(f"{name}={raw!r}: invalid choice (choose from {choices})")
    return value
