"""`lvseg cloud preprocess | train | export | evaluate | analyze`: parse flags, build the launch, print it, run it.

Each command prints exactly what it runs; with --dry-run it stops there (deterministic output: give
--job-name, or the clock decides the default name). Without it, the command runs with the user's own
gcloud / Application Default credentials through ``runner`` (injected by tests).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from lvseg import flags
from lvseg.cloud import dataflow, vertex
from lvseg.cloud.common import Clock, Runner, Target, job_name, parser_for, render, split_passthrough

PREPROCESS_MODULE = "beam_pipelines.preprocess"
EVALUATE_MODULE = "beam_pipelines.evaluate"
ANALYZE_MODULE = "beam_pipelines.analyze"
FLEX_METADATA = "infra/dataflow/preprocess_metadata.json"


@dataclass(frozen=True)
class PreprocessJob:
    """Which dataset to preprocess and how to launch the job."""

    data: str = field(default="echonet", metadata={
        "help": "dataset: a name under gs://BUCKET/raw/ or a gs:// URI"})
    launch: str = field(default="direct", metadata={
        "help": "direct: run the launcher here (python -m beam_pipelines.preprocess); "
                "flex: gcloud dataflow flex-template run (build the template first, infra/README.md)",
        "choices": ("direct", "flex")})
    template: str | None = field(default=None, metadata={
        "help": "flex-template spec; None means gs://BUCKET/templates/preprocess.json"})


@dataclass(frozen=True)
class EvaluateJob:
    """Which models to score, on what, and where the report goes."""

    models: tuple[str, ...] = field(default=("mask", "landmarks"), metadata={
        "help": "model names under gs://BUCKET/models/ (their model/ folder), or gs:// MODEL_DIRs / .tflite files"})
    external: str | None = field(default=None, metadata={
        "help": "external test set (CAMUS layout): a name under gs://BUCKET/raw/ or a gs:// URI"})
    report: str | None = field(default=None, metadata={
        "help": "report name: written to gs://BUCKET/reports/NAME/; None means the job name"})


@dataclass(frozen=True)
class AnalyzeJob:
    """Which videos to analyse with which models, and where the analysis goes."""

    data: str = field(default="echonet", metadata={
        "help": "videos: a dataset name under gs://BUCKET/raw/ (EchoNet layout or a folder of .avi) or a gs:// URI"})
    models: tuple[str, ...] = field(default=("mask",), metadata={
        "help": "model names under gs://BUCKET/models/ (their model/ folder), or gs:// MODEL_DIRs / .tflite files"})
    analysis: str | None = field(default=None, metadata={
        "help": "analysis name: written to gs://BUCKET/analyses/NAME/; None means the job name"})


def _parse(prog: str, description: str | None, argv: list[str], *classes: type[Any]) -> tuple[list[Any], list[str]]:
    """(one options object per class, Target first; the passthrough flags after ``--``); every field rule is
    checked while parsing (lvseg.flags)."""
    ours, extra = split_passthrough(argv)
    parser = parser_for(prog, description, Target, *classes)
    ns = parser.parse_args(ours)
    option_classes: list[type[Any]] = [Target, *classes]
    return [flags.from_namespace(cls, ns) for cls in option_classes], extra


def _run(target: Target, header: list[str], command: list[str], runner: Runner, out: TextIO) -> int:
    """Print the header (as # comments) and the command; unless --dry-run, run it and return its exit status."""
    for line in header:
        print(f"# {line}", file=out)
    print(render(command), file=out)
    if target.dry_run:
        return 0
    return runner(_local_python(command))


def preprocess(argv: list[str], runner: Runner, clock: Clock, out: TextIO) -> int:
    """EchoNet-Dynamic under gs://BUCKET/raw/ -> TFRecords in gs://BUCKET/records on Dataflow."""
    (target, workers, job), extra = _parse("lvseg cloud preprocess", preprocess.__doc__, argv, dataflow.Workers,
                                           PreprocessJob)
    workers.validate(target)
    name = job_name(target, "preprocess", clock)
    args = dataflow.preprocess_args(target, job.data, extra)
    header = [f"Dataflow job {name}: {args[1]} -> {args[3]}"]
    if job.launch == "flex":
        template = job.template or target.layout.template("preprocess")
        command = dataflow.flex_run_command(target, workers, name, template, args)
        header.append("template built once per image with: "
                      + " ".join(dataflow.flex_build_command(target, template, FLEX_METADATA)))
    else:
        command = dataflow.direct_command(PREPROCESS_MODULE, args, dataflow.beam_flags(target, workers, name))
        image = workers.image(target)
        header.append(f"workers run {image}" if image else f"workers install {workers.setup_file} on Beam's image")
    return _run(target, header, command, runner, out)


def evaluate(argv: list[str], runner: Runner, clock: Clock, out: TextIO) -> int:
    """Score trained models on the TEST records (and an external set) on Dataflow; report in gs://BUCKET/reports."""
    (target, workers, job), extra = _parse("lvseg cloud evaluate", evaluate.__doc__, argv, dataflow.Workers,
                                           EvaluateJob)
    workers.validate(target)
    name = job_name(target, "evaluate", clock)
    report = job.report or name
    args = dataflow.evaluate_args(target, job.models, report, job.external, extra)
    command = dataflow.direct_command(EVALUATE_MODULE, args, dataflow.beam_flags(target, workers, name))
    return _run(target, [f"Dataflow job {name}: report -> {target.layout.report_dir(report)}/report.html",
                         "this machine waits for the job, then writes the report"], command, runner, out)


def analyze(argv: list[str], runner: Runner, clock: Clock, out: TextIO) -> int:
    """EF of every video (all 10,030 of EchoNet-Dynamic) on Dataflow; the analysis lands in gs://BUCKET/analyses."""
    (target, workers, job), extra = _parse("lvseg cloud analyze", analyze.__doc__, argv, dataflow.Workers,
                                           AnalyzeJob)
    workers.validate(target)
    name = job_name(target, "analyze", clock)
    analysis = job.analysis or name
    args = dataflow.analyze_args(target, job.data, job.models, analysis, extra)
    command = dataflow.direct_command(ANALYZE_MODULE, args, dataflow.beam_flags(target, workers, name))
    return _run(target, [f"Dataflow job {name}: analysis -> {target.layout.analysis_dir(analysis)}/report.html",
                         "this machine waits for the job, then writes the report"], command, runner, out)


def train(argv: list[str], runner: Runner, clock: Clock, out: TextIO) -> int:
    """Train a U-Net on Vertex AI from gs://BUCKET/records; the model lands in gs://BUCKET/models/NAME/model."""
    (target, job, machines), extra = _parse("lvseg cloud train", train.__doc__, argv, vertex.TrainJob,
                                            vertex.Machines)
    name = job_name(target, f"train-{job.model}", clock)
    spec = vertex.train_spec(job, machines, target.images.trainer, target.layout, extra, target.service_account)
    return _custom_job(target, machines, name, spec, f"model -> {target.layout.model_dir(job.model_name)}",
                       runner, out)


def export(argv: list[str], runner: Runner, clock: Clock, out: TextIO) -> int:
    """Export a trained model to TFLite on Vertex AI: gs://BUCKET/models/NAME/model -> gs://BUCKET/exports/NAME."""
    (target, job, machines), extra = _parse("lvseg cloud export", export.__doc__, argv, vertex.ExportJob,
                                            vertex.Machines)
    name = job_name(target, f"export-{job.name}", clock)
    spec = vertex.export_spec(job, machines, target.images.trainer, target.layout, extra, target.service_account)
    return _custom_job(target, machines, name, spec, f"TFLite -> {target.layout.export_dir(job.name)}",
                       runner, out)


def _custom_job(target: Target, machines: vertex.Machines, name: str, spec: dict, what: str, runner: Runner,
                out: TextIO) -> int:
    """Print the spec and the gcloud command; without --dry-run write the spec file and run gcloud."""
    spec_path = machines.spec_out or f"{name}.custom_job.json"
    command = vertex.gcloud_create(target.project, target.region, name, spec_path)
    text = json.dumps(spec, indent=2, sort_keys=True)
    print(f"# Vertex AI custom job {name}: {what}", file=out)
    print(f"# CustomJobSpec ({'would be ' if target.dry_run else ''}written to {spec_path}):", file=out)
    print(text, file=out)
    print(render(command), file=out)
    if target.dry_run:
        return 0
    Path(spec_path).write_text(text + "\n")
    return runner(command)


def _local_python(command: list[str]) -> list[str]:
    """Printed commands say ``python``; run them with this interpreter (where lvseg is installed)."""
    return [sys.executable, *command[1:]] if command[0] == "python" else command


COMMANDS = {"preprocess": preprocess, "train": train, "export": export, "evaluate": evaluate, "analyze": analyze}
