"""Typed dataclass configuration mapped onto argparse flags: one source of truth for defaults.

Each field becomes ``--field-name``; the field's ``metadata["help"]`` is the flag's help and
``metadata["choices"]`` its choices. Booleans become ``--flag/--no-flag``.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def add_dataclass_flags(parser: argparse.ArgumentParser, cls: type) -> None:
    """Add one flag per field of dataclass ``cls`` with its default and help."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        flag = "--" + field.name.replace("_", "-")
        kind = hints[field.name]
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
        help_text = f"{field.metadata.get('help', '')} (default: {default})"
        choices = field.metadata.get("choices")
        if kind is bool:
            parser.add_argument(flag, dest=field.name, default=default, help=help_text,
                                action=argparse.BooleanOptionalAction)
        elif typing.get_origin(kind) in (tuple, list):
            item = typing.get_args(kind)[0]
            parser.add_argument(flag, dest=field.name, default=default, help=help_text, nargs="+", type=item)
        else:
            base = _optional_base(kind)
            parser.add_argument(flag, dest=field.name, default=default, help=help_text, type=base,
                                choices=choices)


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
