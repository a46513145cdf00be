"""Typed dataclass configuration mapped onto argparse flags: one source of truth for defaults and rules.

Each field becomes ``--field-name``; its metadata declares everything about the flag, once:

- ``help``: the flag's help; ``choices``: the allowed values (each item of a tuple field).
- ``required``: the flag must be given (argparse refuses a command line without it). The field keeps a
  default (``""`` or ``()``) only so that a dataclass can be built in code for tests and internal callers.
- ``min`` / ``above`` / ``max``: bounds of a number (inclusive / exclusive / inclusive); floats must also
  be finite, so ``--epochs 0`` or ``--heatmap-sigma nan`` is refused before any work starts.
- ``case``: ``"upper"`` upper-cases the text before the choices are checked (``--split test`` is TEST).
- ``check``: a callable ``value -> problem | None`` for a rule of that one field (a pattern, "not gs://").

Booleans become ``--flag/--no-flag``. ``check_limits`` applies the same rules to options built in code,
with the same messages; rules that span several fields live in the config's own ``validated()``. Every
lvseg parser is an ``ArgumentParser`` from here: a bad flag is an ``OptionError`` (a one-line
UserError), never a usage dump and ``sys.exit``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import typing
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from lvseg.errors import UserError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
Check = Callable[[Any], "str | None"]  # metadata["check"]: what is wrong with a value, or None


class OptionError(UserError, ValueError):
    """A command-line option that is missing, unknown or out of range."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with errors raised as OptionError (the CLI prints one line) instead of printed and exited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # --shard must never silently mean --shards
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> typing.NoReturn:
        raise OptionError(message)


def flag_name(name: str) -> str:
    """``field_name`` -> ``--field-name``."""
    return "--" + name.replace("_", "-")


def field_default(field: dataclasses.Field) -> Any:
    """The field's default value (from ``default`` or ``default_factory``)."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    raise TypeError(f"option field {field.name!r} needs a default (declare a required flag with 'required')")


def is_required(field: dataclasses.Field) -> bool:
    return bool(field.metadata.get("required", False))


def add_dataclass_flags(parser: argparse.ArgumentParser, cls: type[DataclassInstance]) -> None:
    """Add one flag per field of dataclass ``cls`` with its default, help and rules."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        flag = flag_name(field.name)
        kind = hints[field.name]
        default = field_default(field)
        help_text = field.metadata.get("help", "")
        if is_required(field):
            help_text += " (required)"
        # An empty default means "you must give it" or a help text that says what empty means: no "(default: )".
        elif default not in ("", (), []) and "(default:" not in help_text:
            help_text += f" (default: {default})"
        common: dict[str, Any] = {"dest": field.name, "default": default, "help": help_text}
        if kind is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, **common)
            continue
        if is_required(field):
            common["required"] = True
        choices = field.metadata.get("choices")
        if typing.get_origin(kind) in (tuple, list):
            parser.add_argument(flag, nargs="+", type=checked(typing.get_args(kind)[0], field.metadata),
                                choices=choices, **common)
        else:
            parser.add_argument(flag, type=checked(_optional_base(kind), field.metadata), choices=choices, **common)


def checked(kind: type, rules: Mapping[str, Any]) -> Callable[[str], Any]:
    """An argparse ``type`` that parses ``kind`` and enforces the field's case, limits and check."""
    def parse(text: str) -> Any:
        if rules.get("case") == "upper":
            text = text.upper()
        try:
            value = kind(text)
        except ValueError:
            what = {int: "an integer", float: "a number"}.get(kind, f"a valid {kind.__name__}")
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        problem = value_problem(value, rules, text)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def value_problem(value: Any, rules: Mapping[str, Any], text: str | None = None) -> str | None:
    """What is wrong with one value under a field's limits and check, or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problem = limit_problem(value, rules, text)
        if problem:
            return problem
    check: Check | None = rules.get("check")
    return check(value) if check is not None else None


def limit_problem(value: float, limits: Mapping[str, Any], text: str | None = None) -> str | None:
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
    """Apply each field's rules to a dataclass built in code, as parsing applies them to argv.

    Raises OptionError with the message argparse gives for the same value (``argument --flag: ...``, or
    ``the following arguments are required: --flag`` for an empty required field); None is skipped and
    tuples are checked item by item. Returns ``config``, or a copy with ``case`` fields in their case.
    """
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if is_required(field) and value in ("", (), [], None):
            raise OptionError(f"the following arguments are required: {flag_name(field.name)}")
        if field.metadata.get("case") == "upper" and value is not None:
            value = tuple(v.upper() for v in value) if isinstance(value, (tuple, list)) else value.upper()
            changes[field.name] = value
        choices = field.metadata.get("choices")
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if item is None:
                continue
            problem = value_problem(item, field.metadata)
            if problem is None and choices is not None and item not in choices:
                problem = f"invalid choice: {item!r} (choose from {', '.join(map(repr, choices))})"
            if problem:
                raise OptionError(f"argument {flag_name(field.name)}: {problem}")
    return dataclasses.replace(config, **changes) if changes else config


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


def to_dict(config: DataclassInstance) -> dict[str, Any]:
    return dataclasses.asdict(config)
