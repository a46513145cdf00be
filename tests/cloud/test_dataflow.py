"""Dataflow launches: the argv of `lvseg cloud preprocess/evaluate` parses as the pipelines and Beam read it."""

from __future__ import annotations

import io
import sys

import pytest
from apache_beam.options.pipeline_options import (GoogleCloudOptions, PipelineOptions, SetupOptions, StandardOptions,
                                                  WorkerOptions)

from beam_pipelines import launch_options
from beam_pipelines.analyze import pipeline as analyze
from beam_pipelines.evaluate import pipeline as evaluate
from beam_pipelines.preprocess import pipeline as preprocess
from lvseg import cli
from lvseg.cloud import dataflow
from lvseg.cloud.cli import main
from lvseg.cloud.common import Target
from lvseg.flags import OptionError

TARGET = Target(project="my-proj", region="us-central1", bucket="gs://my-bucket", service_account="sa@p.iam")
ARGS = ["--project", "my-proj", "--region", "us-central1", "--bucket", "gs://my-bucket"]
IMAGE = "us-central1-docker.pkg.dev/my-proj/lvseg/lvseg-beam:0.1.0"


def test_beam_flags_are_read_by_beam_as_meant():
    workers = dataflow.Workers(worker_machine_type="n2-standard-8", max_num_workers=30, num_workers=2,
                               disk_size_gb=50, setup_file="./setup.py")
    options = PipelineOptions(dataflow.beam_flags(TARGET, workers, "lvseg-preprocess-x"))
    cloud, worker = options.view_as(GoogleCloudOptions), options.view_as(WorkerOptions)
    assert options.view_as(StandardOptions).runner == "DataflowRunner"
    assert (cloud.project, cloud.region, cloud.job_name) == ("my-proj", "us-central1", "lvseg-preprocess-x")
    assert (cloud.temp_location, cloud.staging_location) == ("gs://my-bucket/dataflow/temp",
                                                             "gs://my-bucket/dataflow/staging")
    assert cloud.service_account_email == "sa@p.iam"
    assert (worker.machine_type, worker.max_num_workers, worker.num_workers, worker.disk_size_gb) == \
        ("n2-standard-8", 30, 2, 50)
    assert worker.sdk_container_image == IMAGE
    assert options.view_as(SetupOptions).setup_file == "./setup.py"
    # Every flag is a Beam option: none would be dropped as unparseable.
    assert set(options.get_all_options(retain_unknown_options=True)) == set(options.get_all_options())


def test_preprocess_command_is_what_the_pipeline_launcher_accepts():
    out, calls = io.StringIO(), []
    status = main(["preprocess", *ARGS, "--job-name", "lvseg-pre-1", "--", "--landmark-scheme", "contour12",
                   "--shards", "4"], runner=lambda argv: calls.append(argv) or 0, out=out)
    assert status == 0
    (argv,) = calls
    assert argv[:3] == [sys.executable, "-m", "beam_pipelines.preprocess"]
    job, options = preprocess.launcher_options(argv[3:])  # validates paths for a remote runner, no cloud call
    assert (job.data, job.out, job.landmark_scheme, job.shards) == ("gs://my-bucket/raw/echonet",
                                                                    "gs://my-bucket/records", "contour12", 4)
    assert options.view_as(StandardOptions).runner == "DataflowRunner"
    assert options.view_as(WorkerOptions).sdk_container_image == IMAGE
    assert "python -m beam_pipelines.preprocess" in out.getvalue()


def test_evaluate_command_parses_as_the_evaluate_job():
    calls = []
    assert main(["evaluate", *ARGS, "--job-name", "lvseg-eval-1", "--models", "mask", "gs://x/m.tflite",
                 "--external", "camus", "--report", "first"], runner=lambda argv: calls.append(argv) or 0,
                out=io.StringIO()) == 0
    (argv,) = calls
    assert argv[:3] == [sys.executable, "-m", "beam_pipelines.evaluate"]
    # evaluate.launcher_options would list the records on Cloud Storage; parse the same way without it.
    job, beam_args = launch_options.parse_job_args(evaluate.EvaluateOptions, argv[3:])
    job = job.validated()
    assert job.models == ("gs://my-bucket/models/mask/model", "gs://x/m.tflite")
    assert (job.records, job.external, job.out) == ("gs://my-bucket/records", "gs://my-bucket/raw/camus",
                                                    "gs://my-bucket/reports/first")
    options = launch_options.pipeline_options(beam_args)
    launch_options.check_paths_for_runner(options, job.records, job.out, job.external, *job.models)
    assert options.view_as(GoogleCloudOptions).job_name == "lvseg-eval-1"


def test_analyze_command_parses_as_the_analyze_job():
    calls = []
    assert main(["analyze", *ARGS, "--job-name", "lvseg-analyze-1", "--models", "mask", "gs://x/int8.tflite",
                 "--analysis", "all"], runner=lambda argv: calls.append(argv) or 0, out=io.StringIO()) == 0
    (argv,) = calls
    assert argv[:3] == [sys.executable, "-m", "beam_pipelines.analyze"]
    job, options = analyze.launcher_options(argv[3:])
    assert job.models == ("gs://my-bucket/models/mask/model", "gs://x/int8.tflite")
    assert (job.videos, job.out) == ("gs://my-bucket/raw/echonet", "gs://my-bucket/analyses/all")
    assert options.view_as(GoogleCloudOptions).job_name == "lvseg-analyze-1"


def test_report_name_defaults_to_the_job_name_from_the_clock():
    from datetime import datetime, timezone

    out = io.StringIO()
    main(["evaluate", *ARGS, "--dry-run"], clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
         out=out)
    assert "--out gs://my-bucket/reports/lvseg-evaluate-20260102-030405" in out.getvalue()
    assert "--job_name=lvseg-evaluate-20260102-030405" in out.getvalue()


def test_default_job_names_are_valid_for_any_model_name():
    from datetime import datetime

    from lvseg.cloud.common import job_name

    clock = lambda: datetime(2026, 1, 2, 3, 4, 5)  # noqa: E731
    assert job_name(TARGET, "export-Mask_v2.1", clock) == "lvseg-export-mask-v2-1-20260102-030405"


def test_stock_image_needs_a_setup_file():
    with pytest.raises(ValueError):
        dataflow.Workers(worker_image="none").validate(TARGET)
    flags = dataflow.beam_flags(TARGET, dataflow.Workers(worker_image="none", setup_file="./setup.py"), "j")
    assert not any(f.startswith("--sdk_container_image") for f in flags)
    assert cli.main(["cloud", "preprocess", *ARGS, "--worker-image", "none", "--dry-run"]) == 2


def test_flex_run_passes_the_job_flags_as_template_parameters():
    argv = dataflow.flex_run_command(TARGET, dataflow.Workers(disk_size_gb=40), "lvseg-pre-2",
                                     "gs://my-bucket/templates/preprocess.json",
                                     dataflow.preprocess_args(TARGET, "echonet", ["--splits", "TRAIN", "VAL",
                                                                                  "--no-write-videos"]))
    assert argv[:5] == ["gcloud", "dataflow", "flex-template", "run", "lvseg-pre-2"]
    assert "--template-file-gcs-location=gs://my-bucket/templates/preprocess.json" in argv
    assert "--service-account-email=sa@p.iam" in argv
    params = [a[len("--parameters="):] for a in argv if a.startswith("--parameters=")]
    assert params == ["data=gs://my-bucket/raw/echonet", "out=gs://my-bucket/records", "splits=TRAIN VAL",
                      "write_videos=false", f"sdk_container_image={IMAGE}", "disk_size_gb=40"]


@pytest.mark.parametrize("bad", [["--project", "Bad_Project"], ["--region", "nowhere"], ["--job-name", "Has_Caps"],
                                 ["--bucket", "gs://b/sub"]])
def test_bad_target_flags_are_usage_errors(bad, capsys):
    argv = ARGS + bad + ["--dry-run"]
    # The subcommand under lvseg's one error path (lvseg.cli.run), named as its own parser names it.
    assert cli.run("lvseg cloud preprocess", lambda rest: main(["preprocess", *rest], out=io.StringIO()), argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lvseg cloud preprocess: error: ") and err.count("\n") == 1


def test_a_bad_flag_is_one_line_from_lvseg_and_a_traceback_with_debug(capsys):
    argv = ["cloud", "evaluate", *ARGS, "--models", "bad name", "--dry-run"]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("lvseg cloud: error: invalid model name 'bad name'")
    assert captured.err.count("\n") == 1
    assert captured.out == ""  # refused before anything is printed
    with pytest.raises(OptionError, match="invalid model name"):
        cli.main([*argv, "--debug"])
    assert cli.main(["cloud", "frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_a_bug_is_not_turned_into_a_usage_error(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not a bad flag")

    monkeypatch.setattr(dataflow, "evaluate_args", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["cloud", "evaluate", *ARGS, "--dry-run"])


def test_options_built_in_code_are_held_to_the_flag_limits():
    with pytest.raises(OptionError, match="--batch-size: must be at least 1, got 0"):
        analyze.AnalyzeOptions(videos="v", models=("m",), out="o", batch_size=0).validated()
    with pytest.raises(OptionError, match="--figure-videos: must be at least 0, got -1"):
        analyze.AnalyzeOptions(videos="v", models=("m",), out="o", figure_videos=-1).validated()
