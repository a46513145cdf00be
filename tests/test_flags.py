"""lvseg.flags: each rule declared once with its field holds for argv and for options built in code alike."""

from __future__ import annotations

import dataclasses

import pytest

from lvseg import flags
from lvseg.flags import OptionError


def _no_gs(path: str) -> str | None:
    return "must be local" if path.startswith("gs://") else None


@dataclasses.dataclass(frozen=True)
class Options:
    source: str = dataclasses.field(default="", metadata={"required": True, "check": _no_gs, "help": "input"})
    splits: tuple[str, ...] = dataclasses.field(default=("TEST",), metadata={
        "choices": ("TRAIN", "TEST"), "case": "upper", "help": "splits"})
    mode: str = dataclasses.field(default="a", metadata={"choices": ("a", "b"), "help": "mode"})


def parse(argv: list[str]) -> Options:
    parser = flags.ArgumentParser(prog="t")
    flags.add_dataclass_flags(parser, Options)
    return flags.from_namespace(Options, parser.parse_args(argv))


def test_required_flags_are_refused_when_missing_and_say_so_in_help():
    with pytest.raises(OptionError, match="^the following arguments are required: --source$"):
        parse([])
    with pytest.raises(OptionError, match="^the following arguments are required: --source$"):
        flags.check_limits(Options())
    parser = flags.ArgumentParser(prog="t")
    flags.add_dataclass_flags(parser, Options)
    assert {a.dest: a.help for a in parser._actions}["source"] == "input (required)"


def test_case_is_normalized_before_choices_for_argv_and_code():
    assert parse(["--source", "s", "--splits", "test", "Train"]).splits == ("TEST", "TRAIN")
    assert flags.check_limits(Options(source="s", splits=("train",))).splits == ("TRAIN",)
    with pytest.raises(OptionError, match="invalid choice: 'VAL'"):
        parse(["--source", "s", "--splits", "val"])
    message = r"^argument --splits: invalid choice: 'VAL' \(choose from 'TRAIN', 'TEST'\)$"
    with pytest.raises(OptionError, match=message):
        flags.check_limits(Options(source="s", splits=("val",)))


def test_a_field_check_gives_the_same_message_from_argv_and_from_code():
    with pytest.raises(OptionError) as from_argv:
        parse(["--source", "gs://b/x"])
    with pytest.raises(OptionError) as from_code:
        flags.check_limits(Options(source="gs://b/x"))
    assert str(from_argv.value) == str(from_code.value) == "argument --source: must be local"
    with pytest.raises(OptionError, match="^argument --mode: invalid choice: 'c'"):
        flags.check_limits(Options(source="s", mode="c"))
    assert flags.check_limits(Options(source="s")) == Options(source="s")
