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


def one_error_line(capsys, command: str) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert captured.err.startswith(f"lvseg {command}: error: "), captured.err
    return captured.err


def test_expected_user_errors_are_one_line_with_exit_2(tmp_path, records_root, capsys):
    bad_header = tmp_path / "bad"
    bad_header.mkdir()
    (bad_header / "FileList.csv").write_text("Name,EF\nx,1\n")
    cases = [
        (["inspect", str(tmp_path / "nowhere")], "no such file"),
        (["inspect", str(bad_header)], "columns found"),
        (["ceiling", str(bad_header)], "columns found"),
        (["preprocess", "--data", str(bad_header), "--out", str(tmp_path / "r"), "--shard", "3"], "--shards?"),
        (["preprocess", "--data", "d", "--out", str(tmp_path / "r"), "--heatmap-sigma", "nan"], "finite"),
        (["preprocess", "--data", "d", "--out", str(tmp_path / "r"), "--shards", "-1"], "at least 0"),
        (["preprocess", "--data", "d", "--out", str(tmp_path / "r"), "--direct_num_workers", "-2"], "workers"),
        (["train", "--records", records_root, "--out", str(tmp_path / "m"), "--epochs", "0"], "at least 1"),
        (["train", "--records", records_root, "--out", str(tmp_path / "m"), "--batch-size", "0"], "at least 1"),
        (["train", "--records", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m")], "manifest.json"),
        (["evaluate", "--models", str(tmp_path / "no-model"), "--records", records_root, "--out", str(tmp_path / "e")],
         "no trainer config"),
        (["export", "--model", "m", "--records", "r", "--out", "o", "--quantize", "int4"], "int4"),
        (["export", "--model", str(tmp_path / "no-model"), "--records", records_root, "--out", str(tmp_path / "x")],
         "no trainer config"),
        (["demo", "--workers", "0"], "at least 1"),
    ]
    for argv, expected in cases:
        assert cli.main(argv) == 2, argv
        assert expected in one_error_line(capsys, argv[0]), argv


def test_an_empty_split_downstream_is_one_line_not_a_stopiteration_or_an_empty_report(synthetic_root, tmp_path,
                                                                                       capsys):
    from tests.conftest import write_records

    no_test = write_records(synthetic_root, str(tmp_path / "no-test"), splits=("TRAIN", "VAL"))
    no_train = write_records(synthetic_root, str(tmp_path / "no-train"), splits=("VAL", "TEST"))
    cases = [
        (["train", "--records", no_train, "--out", str(tmp_path / "m"), "--epochs", "1"], "TRAIN split holds no"),
        (["evaluate", "--models", "m", "--records", no_test, "--out", str(tmp_path / "e")], "TEST split holds no"),
        (["export", "--model", "m", "--records", no_train, "--out", str(tmp_path / "x")], "TRAIN split holds no"),
    ]
    for argv, expected in cases:
        assert cli.main(argv) == 2, argv
        assert expected in one_error_line(capsys, argv[0]), argv
    assert not (tmp_path / "m").exists() and not (tmp_path / "e").exists()


def test_debug_shows_the_traceback_instead(tmp_path, monkeypatch):
    import pytest

    from lvseg.datasets.tables import DatasetFormatError

    with pytest.raises(DatasetFormatError):
        cli.main(["inspect", str(tmp_path), "--debug"])
    monkeypatch.setenv("LVSEG_DEBUG", "1")
    with pytest.raises(DatasetFormatError):
        cli.main(["inspect", str(tmp_path)])
