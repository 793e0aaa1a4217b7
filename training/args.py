"""Command-line arguments from dataclasses, the way the Hugging Face example scripts read them.

Each field of an argument dataclass becomes one ``--option`` with the field's
default and its ``metadata["help"]``; the dataclass's ``__post_init__`` checks
cross-field rules.  A script may instead be given a single ``.json`` file whose
keys are the field names::

    python -m training.dataset --corpus a.jsonl --out data/spin --seed 7
    python -m training.dataset config.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

__all__ = ["parse_args", "run_script"]

T = TypeVar("T")


def _unwrap_optional(kind: Any) -> tuple[Any, bool]:
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return kind, False


def _add_field(parser: argparse.ArgumentParser, field: dataclasses.Field, kind: Any) -> None:
    kind, _ = _unwrap_optional(kind)
    flag = "--" + field.name.replace("_", "-")
    default = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
    options: dict[str, Any] = {
        "dest": field.name,
        "default": default,
        "help": field.metadata.get("help", ""),
    }
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is bool:
        options["action"] = argparse.BooleanOptionalAction
    elif origin in (list, tuple):
        item = args[0]
        options["type"] = item
        options["nargs"] = len(args) if origin is tuple and Ellipsis not in args else "+"
    elif origin is typing.Literal:
        options["choices"] = args
        options["type"] = type(args[0])
    else:
        options["type"] = kind
    if "metavar" in field.metadata:
        options["metavar"] = field.metadata["metavar"]
    if options["help"] and default not in (None, [], ()) and kind is not bool:
        options["help"] += f" (default: {default})"
    parser.add_argument(flag, **options)


def _coerce(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    out = {}
    for name, value in values.items():
        kind, _ = _unwrap_optional(hints[name])
        if value is not None and typing.get_origin(kind) is tuple:
            value = tuple(value)
        elif value is not None and kind is Path:
            value = Path(value)
        out[name] = value
    return out


def _json_problem(kind: Any, value: Any) -> str | None:
    """What a JSON config's ``value`` should have been for a field of type ``kind``, or None
    when it is fine ("a whole number", "a list of strings")."""
    kind, optional = _unwrap_optional(kind)
    if value is None:
        return None if optional else "given a value"
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (list, tuple):
        if origin is list and isinstance(value, str) and args[0] in (str, Path):
            return None  # one item: the argument classes read it as a list of one
        if not isinstance(value, list):
            return "a list"
        problems = [_json_problem(args[0], item) for item in value]
        first = next((p for p in problems if p is not None), None)
        return None if first is None else f"a list whose items are each {first}"
    if origin is typing.Literal:
        return None if value in args else "one of " + ", ".join(map(str, args))
    if kind is bool:
        return None if isinstance(value, bool) else "true or false"
    if kind is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "a whole number"
    if kind is float:
        plain = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if plain else "a number"
    if kind in (str, Path):
        return None if isinstance(value, str) else "a string"
    return None


class _OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line (with where to read more), not the
    whole usage of a recipe with dozens of options."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(
    types_: Sequence[type[Any]],
    argv: Sequence[str] | None = None,
    *,
    description: str = "",
    prog: str | None = None,
) -> tuple[Any, ...]:
    """Instances of the dataclasses ``types_`` from ``argv`` (or from one JSON file in it).

    A field's ``metadata`` may hold ``help`` and ``metavar``.  Unknown options and
    JSON keys are errors, so a typo never passes silently.
    """
    # The command line itself when no argv is given: a lone .json argument is the config.
    argv = list(argv) if argv is not None else sys.argv[1:]
    parser = _OneLineErrors(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for cls in types_:
        group = parser.add_argument_group(cls.__name__, (cls.__doc__ or "").strip().split("\n")[0])
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            if field.init:
                _add_field(group, field, hints[field.name])  # type: ignore[arg-type]
    if len(argv) > 1 and argv[0].endswith(".json") and not argv[0].startswith("-"):
        parser.error(
            f"a config file ({argv[0]}) must be given alone: put {' '.join(argv[1:])} in it "
            "as keys, or give every setting as flags"
        )
    if argv and len(argv) == 1 and argv[0].endswith(".json"):
        try:
            config = json.loads(Path(argv[0]).read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            parser.error(f"cannot read the config file {argv[0]}: {exc}")
        if not isinstance(config, dict):
            parser.error(f"{argv[0]} must hold one JSON object of settings")
        known = {f.name for cls in types_ for f in dataclasses.fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            parser.error(f"unknown keys in {argv[0]}: {', '.join(unknown)}")
        hints = {name: kind for cls in types_ for name, kind in typing.get_type_hints(cls).items()}
        # A field whose metadata says "json_list" also takes a JSON list of strings
        # ("profile": ["moby", "paratable"] for "moby,paratable").
        lists = {
            f.name for cls in types_ for f in dataclasses.fields(cls) if f.metadata.get("json_list")
        }
        for key, value in config.items():
            if key in lists and isinstance(value, list) and all(isinstance(v, str) for v in value):
                continue
            problem = _json_problem(hints[key], value)
            if problem is not None:
                parser.error(f"{argv[0]}: {key} must be {problem}, got {json.dumps(value)}")
        namespace = vars(parser.parse_args([]))
        namespace.update(config)
    else:
        namespace = vars(parser.parse_args(argv))
    results = []
    for cls in types_:
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        try:
            results.append(cls(**_coerce(cls, {k: v for k, v in namespace.items() if k in names})))
        except (TypeError, ValueError) as exc:
            parser.error(str(exc))
    return tuple(results)


class _Terminated(BaseException):
    """SIGTERM (``timeout``, ``docker stop``, a job scheduler), raised where the script is."""


def run_script(main: Callable[[], int]) -> int:
    """``main()``'s exit status, for ``python -m training.NAME``: Ctrl-C ends the script
    with one line on standard error and status 130, SIGTERM with status 143, not a
    traceback, each unwinding the script so that what it writes stays whole
    (training/folders.py)."""

    def terminate(signum: int, frame: Any) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("terminated", file=sys.stderr)
        return 143
    finally:
        signal.signal(signal.SIGTERM, previous)
