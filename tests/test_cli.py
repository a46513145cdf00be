"""The lvseg command line: help lists every stage; inspect reports a dataset."""

import json

from lvseg import cli
from lvseg.datasets.inspection import inspect_dataset
from tests.datasets.factory import Dataset


def test_help_lists_every_subcommand(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("demo", "synth", "preprocess", "train", "export", "evaluate", "cloud", "ceiling", "inspect"):
        assert f"  {name}" in out
    assert "research" in out.lower()


def test_unknown_command_is_an_error(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_every_command_module_exists():
    import importlib.util

    for module, _ in cli.COMMANDS.values():
        assert importlib.util.find_spec(module) is not None, module


def test_inspect_counts_add_up(tmp_path, capsys):
    ds = Dataset(tmp_path, n=3)
    ds.filelist[1]["NumberOfFrames"] = "50"  # decoded: only 10 frames -> truncated
    root = ds.write()
    report = inspect_dataset(root)
    assert report["input_videos"] == 3
    assert sum(report["usable_videos"].values()) + sum(report["rejected"].values()) == 3
    assert report["rejected"] == {"video_truncated": 1}
    assert cli.main(["inspect", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["input_videos"] == 3


def test_ceiling_command_prints_every_scheme(tmp_path, capsys):
    root = Dataset(tmp_path, n=2).write()
    assert cli.main(["ceiling", root]) == 0
    out = capsys.readouterr().out
    for scheme in ("seed6", "contour12", "contour16"):
        assert scheme in out
