"""Typed dataclass configuration mapped onto argparse flags: one source of truth for defaults and limits.

Each field becomes ``--field-name``; the field's ``metadata["help"]`` is the flag's help and
``metadata["choices"]`` its choices. Booleans become ``--flag/--no-flag``. Numbers are checked as they are
parsed: floats must be finite, and ``metadata["min"]`` / ``["above"]`` / ``["max"]`` bound them (inclusive /
exclusive / inclusive), so ``--epochs 0`` or ``--heatmap-sigma nan`` is refused before any work starts;
``check_limits`` applies the same limits to options built in code (each job's ``validated()`` calls it).
Every lvseg parser is an ``ArgumentParser`` from here: a bad flag is an ``OptionError`` (a one-line
UserError), never a usage dump and ``sys.exit``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import typing
from typing import Any, Callable, TypeVar

from lvseg.errors import UserError

T = TypeVar("T")


class OptionError(UserError, ValueError):
    """A command-line option that is missing, unknown or out of range."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with errors raised as OptionError (the CLI prints one line) instead of printed and exited."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --shard must never silently mean --shards
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        raise OptionError(message)


def add_dataclass_flags(parser: argparse.ArgumentParser, cls: type) -> None:
    """Add one flag per field of dataclass ``cls`` with its default, help and limits."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        flag = "--" + field.name.replace("_", "-")
        kind = hints[field.name]
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
        help_text = field.metadata.get("help", "")
        # An empty default means "you must give it" (or a help text that says what empty means): no "(default: )".
        if default not in ("", (), []) and "(default:" not in help_text:
            help_text += f" (default: {default})"
        choices = field.metadata.get("choices")
        if kind is bool:
            parser.add_argument(flag, dest=field.name, default=default, help=help_text,
                                action=argparse.BooleanOptionalAction)
        elif typing.get_origin(kind) in (tuple, list):
            item = typing.get_args(kind)[0]
            parser.add_argument(flag, dest=field.name, default=default, help=help_text, nargs="+",
                                type=checked(item, field.metadata), choices=choices)
        else:
            parser.add_argument(flag, dest=field.name, default=default, help=help_text,
                                type=checked(_optional_base(kind), field.metadata), choices=choices)


def checked(kind: type, limits: typing.Mapping[str, Any]) -> Callable[[str], Any]:
    """An argparse ``type`` that parses ``kind`` and enforces finiteness and the field's limits."""
    if kind not in (int, float):
        return kind

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}")
        problem = limit_problem(value, limits, text)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def limit_problem(value: float, limits: typing.Mapping[str, Any], text: str | None = None) -> str | None:
    """What is wrong with a number under a field's limits (finite; "min" / "above" / "max"), or None."""
    text = str(value) if text is None else text
    if isinstance(value, float) and not math.isfinite(value):
        return f"{text!r} is not a finite number"
    if "min" in limits and value < limits["min"]:
        return f"must be at least {limits['min']}, got {text}"
    if "above" in limits and value <= limits["above"]:
        return f"must be greater than {limits['above']}, got {text}"
    if "max" in limits and value > limits["max"]:
        return f"must be at most {limits['max']}, got {text}"
    return None


def check_limits(config: T) -> T:
    """Apply each field's limits to a dataclass built in code, as parsing applies them to argv.

    Raises OptionError (``argument --flag: ...``, the message argparse gives for the same value); None is
    skipped, tuples are checked item by item, non-numbers are left alone. Returns ``config``.
    """
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                continue
            problem = limit_problem(item, field.metadata)
            if problem:
                raise OptionError(f"argument --{field.name.replace('_', '-')}: {problem}")
    return config


def _optional_base(kind: Any) -> type:
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    return args[0] if args else kind


def from_namespace(cls: type[T], ns: argparse.Namespace) -> T:
    """Build ``cls`` from parsed flags (tuples stay tuples)."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        value = getattr(ns, field.name)
        if typing.get_origin(hints[field.name]) is tuple and value is not None:
            value = tuple(value)
        values[field.name] = value
    return cls(**values)


def to_dict(config: Any) -> dict:
    return dataclasses.asdict(config)
