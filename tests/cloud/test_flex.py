"""The preprocess flex template: metadata matches the pipeline's flags, and its launcher runs the pipeline."""

from __future__ import annotations

import argparse
import json
import re

import pytest

from beam_pipelines.preprocess import pipeline as preprocess
from lvseg import flags
from lvseg.cloud import flex
from tests.conftest import REPO_ROOT

METADATA = REPO_ROOT / "infra" / "dataflow" / "preprocess_metadata.json"


def pipeline_flags() -> set[str]:
    parser = argparse.ArgumentParser(add_help=False)
    flags.add_dataclass_flags(parser, preprocess.PreprocessOptions)
    return {s for action in parser._actions for s in action.option_strings if s.startswith("--")}


def test_committed_metadata_is_the_generated_one():
    committed = json.loads(METADATA.read_text())
    assert committed == flex.metadata("preprocess"), "run: python -m lvseg.cloud.flex infra/dataflow"


def test_metadata_is_well_formed_and_names_every_pipeline_flag():
    meta = json.loads(METADATA.read_text())
    assert meta["name"] and meta["description"]
    flags = pipeline_flags()
    names = [p["name"] for p in meta["parameters"]]
    for param in meta["parameters"]:
        assert set(param) <= {"name", "label", "helpText", "isOptional", "regexes"}
        assert param["label"] and param["helpText"] and isinstance(param["isOptional"], bool)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", param["name"])  # no dashes in template parameter names
        assert "--" + param["name"].replace("_", "-") in flags
        for regex in param.get("regexes", []):
            re.compile(regex)
    # Every option of the pipeline is a parameter (booleans by their positive name).
    assert {"--" + n.replace("_", "-") for n in names} == {f for f in flags if not f.startswith("--no-")}
    required = {p["name"] for p in meta["parameters"] if not p["isOptional"]}
    assert required == {"data", "out"}


@pytest.mark.parametrize("name, good, bad", [
    ("data", ["gs://my-bucket/raw/echonet", "gs://b-1.x/a b/c"], ["/local/data", "gs://", "s3://b/x", "gs://B/x"]),
    ("out", ["gs://my-bucket/records"], ["records"]),
    ("landmark_scheme", ["seed6", "contour16"], ["contour", "star5"]),
    ("splits", ["TRAIN", "TRAIN VAL", "train,test"], ["", "TRAIN FOO"]),
    ("write_videos", ["true", "false"], ["yes"]),
    ("heatmap_sigma", ["5", "2.5", ".5"], ["-1", "abc"]),
    ("shards", ["0", "12"], ["-3", "1.5"]),
])
def test_parameter_regexes_accept_and_reject(name, good, bad):
    (param,) = [p for p in json.loads(METADATA.read_text())["parameters"] if p["name"] == name]
    match = lambda value: all(re.fullmatch(r, value) for r in param["regexes"])  # noqa: E731
    assert all(match(v) for v in good) and not any(match(v) for v in bad)


def test_parameters_map_back_onto_the_pipeline_flags():
    args = ["--data", "gs://bk1/raw", "--out", "gs://bk1/rec", "--splits", "TRAIN", "VAL", "--no-write-videos",
            "--landmark-scheme", "seed6", "--heatmap-sigma", "3.5", "--shards", "2"]
    params = [f"--{p}" for p in flex.flags_to_parameters(args)]
    assert params[:3] == ["--data=gs://bk1/raw", "--out=gs://bk1/rec", "--splits=TRAIN VAL"]
    cls = preprocess.PreprocessOptions
    beam = ["--runner=DataflowRunner", "--job_name=j"]
    from beam_pipelines.launch_options import parse_job_args
    assert parse_job_args(cls, flex.pipeline_argv(cls, params + beam)) == parse_job_args(cls, args + beam)


def test_launcher_defaults_to_dataflow_and_the_baked_worker_image():
    argv = flex.launcher_argv("preprocess", ["--data=gs://bk1/x", "--out=gs://bk2/records"],
                              env={flex.WORKER_IMAGE_ENV: "img:1"})
    assert argv == ["--data", "gs://bk1/x", "--out", "gs://bk2/records", "--runner=DataflowRunner",
                    "--sdk_container_image=img:1", "--temp_location=gs://bk2/dataflow/temp"]
    given = ["--out=gs://bk2/r", "--temp_location=gs://t/tmp"]
    assert flex.launcher_argv("preprocess", given, env={})[-2:] == ["--temp_location=gs://t/tmp",
                                                                    "--runner=DataflowRunner"]
    kept = flex.launcher_argv("preprocess", ["--runner=X", "--sdk_container_image=mine"],
                              env={flex.WORKER_IMAGE_ENV: "i"})
    assert kept == ["--runner=X", "--sdk_container_image=mine"]
    with pytest.raises(ValueError):
        flex.pipeline_argv(preprocess.PreprocessOptions, ["--write_videos=maybe"])
    with pytest.raises(ValueError):
        flex.flags_to_parameters(["--data", "gs://bk1/a,b"])


@pytest.mark.slow
def test_launch_runs_the_pipeline_with_template_parameters(synthetic_root, tmp_path):
    """The template entry point end to end, on the local runner (Dataflow would run the same graph)."""
    out = tmp_path / "records"
    flex.launch("preprocess", [f"--data={synthetic_root}", f"--out={out}", "--splits=TRAIN,VAL",
                               "--write_videos=false", "--landmark_scheme=contour12", "--runner=FnApiRunner"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["splits"] == ["TRAIN", "VAL"]
    assert manifest["options"]["landmark_scheme"] == "contour12"
    assert manifest["options"]["write_videos"] is False
    assert list((out / "frames").glob("train-*.tfrecord.gz")) and not (out / "videos").exists()
