"""Beam job: LV area, volume and ejection fraction from every frame of every video of a source.

    lvseg analyze --videos SRC --models M [M ...] --out OUT [--splits TEST] [--fps F] [--save-masks]
                  [--temporal-window N] [--no-mirror-average] [Beam flags]
    python -m beam_pipelines.analyze ...                     (the same)

SRC is an EchoNet-layout root (FileList.csv, Videos/; VolumeTracings.csv optional) or any folder of videos,
local or gs://: EchoNet AVIs, DICOM cine loops, AVI/MP4 of any size, subfolders of PNG/JPEG frames; scanner
exports are converted to the EchoNet frame (lvseg.datasets.scanner) and, where the file states a pixel
spacing, also reported in mL and cm. Untraced videos are analysed like traced ones
(lvseg.datasets.video_plan). Models
are Keras MODEL_DIRs and exported .tflite files (lvseg.inference.models). The launcher plans the videos,
claims OUT and stages the plan (beam_pipelines.staged_plan); the job reads video ids, decodes each video
once, segments all its frames with every model and analyses them (transforms.AnalyzeVideoFn); the
launcher then writes per_video.csv, per_beat.csv, rejected.jsonl, summary.json, pictures and report.html
(report.py) and publishes OUT as a unit (lvseg.publish). Counts reconcile: input = analysed + rejected
+ skipped. On Dataflow: the same flags as the other jobs, with gs:// paths.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from beam_pipelines import launch_options
from beam_pipelines.analyze.masks import MASK_DIR
from beam_pipelines.analyze.report import CURVE_DIR, GIF_DIR, OWNED, REPORT_FILE, write_report
from beam_pipelines.analyze.report_page import headline_text
from beam_pipelines.analyze.rows import CURVE_FIELDS
from beam_pipelines.analyze.transforms import BEATS, CURVES, FIGURES, NAMESPACE, REJECTED, AnalyzeVideoFn
from beam_pipelines.dead_letters import CountRejectsFn
from beam_pipelines.provenance import input_fingerprint, package_versions
from beam_pipelines.staged_plan import save_plan
from lvseg import RESEARCH_NOTICE, flags, storage
from lvseg.datasets.filelist import SPLITS
from lvseg.datasets.limits import MAX_FPS, MIN_FPS
from lvseg.datasets.video_plan import VideoPlan, plan_videos
from lvseg.errors import UserError
from lvseg.inference.declutter import DEFAULT_STRENGTH
from lvseg.inference.models import ModelInfo, describe_all, model_paths
from lvseg.inference.temporal import MAX_WINDOW, window_problem
from lvseg.publish import Run, claimed, publish
from lvseg.report.tables import read_jsonl

WORK_DIR = "work"


@dataclass(frozen=True)
class AnalyzeOptions:
    """The job's own options (Beam's are separate); one flag per field."""

    videos: str = field(default="", metadata={
        "required": True, "help": "EchoNet-layout root or folder of .avi files, local or gs://"})
    models: tuple[str, ...] = field(default=(), metadata={
        "required": True, "help": "Keras MODEL_DIRs and/or .tflite files; waist:M = mask model M with its masks "
                                  "cut at the waist"})
    out: str = field(default="", metadata={
        "required": True, "help": "output folder (published as a unit), local or gs://"})
    splits: tuple[str, ...] = field(default=(), metadata={
        "help": "only FileList rows of these splits, any case, e.g. TEST (default: every row)",
        "choices": SPLITS, "case": "upper"})
    batch_size: int = field(default=32, metadata={"min": 1, "help": "frames per inference batch"})
    figure_videos: int = field(default=3, metadata={
        "min": 0, "help": "videos drawn as volume curves and GIFs in the report (the first ones by id)"})
    gif_max_frames: int = field(default=100, metadata={"min": 1, "help": "frames per GIF at most"})
    bootstrap_samples: int = field(default=1000, metadata={"min": 1, "help": "bootstrap resamples of every CI"})
    seed: int = field(default=0, metadata={"help": "bootstrap seed"})
    fps: float | None = field(default=None, metadata={
        "min": MIN_FPS, "max": MAX_FPS,
        "help": "frame rate of the videos whose files state none, e.g. a folder of stills (default: none: such a "
                "video is rejected, no_frame_rate); a rate a file states is always the file's"})
    save_masks: bool = field(default=False, metadata={
        "help": "write every frame's mask (masks/<model>__<video>.npz) and an overlay video (.avi) per video"})
    temporal_window: int = field(default=1, metadata={
        "min": 1, "max": MAX_WINDOW, "check": window_problem,
        "help": "odd number of frames whose raw model outputs are averaged before the output rule (1: every "
                "frame on its own)"})
    mirror_average: bool = field(default=True, metadata={
        "help": "also segment each frame mirrored left-right and average the two outputs (twice the inference, "
                "steadier volumes: lvseg.inference.mirror; --no-mirror-average: each frame once)"})
    declutter: float = field(default=DEFAULT_STRENGTH, metadata={
        "min": 0, "max": 1, "help": "share of each pixel's static clutter (a low percentile over the clip's first "
                                    "seconds: lvseg.inference.declutter) taken off every frame before the models "
                                    "see it (0: off)"})

    def validated(self) -> "AnalyzeOptions":
        """A normalized copy: the fields' own rules applied (lvseg.flags.check_limits: required, limits, odd
        window, upper-case splits) and each split kept once. Raises OptionError."""
        checked = flags.check_limits(self)
        return dataclasses.replace(checked, splits=tuple(dict.fromkeys(checked.splits)))


def build_pipeline(pipeline: beam.Pipeline, options: AnalyzeOptions, infos: list[ModelInfo], plan: VideoPlan,
                   run: Run) -> None:
    """Stage the plan in ``run``'s folder and add the analyse / write steps to ``pipeline``."""
    work = storage.join(run.staging, WORK_DIR)
    plan_path = storage.join(work, "plan.pkl")
    save_plan(plan_path, {t.video_id: t for t in plan.tasks})
    ids = sorted(t.video_id for t in plan.tasks)
    fn = AnalyzeVideoFn(plan_path, infos, options.batch_size, tuple(ids[:options.figure_videos]),
                        storage.join(run.staging, GIF_DIR), options.gif_max_frames, options.fps,
                        options.temporal_window, storage.join(run.staging, MASK_DIR) if options.save_masks else "",
                        options.mirror_average, options.declutter)
    results = (pipeline
               | "VideoIds" >> beam.Create(ids)
               | "SpreadOverWorkers" >> beam.Reshuffle()
               | "Analyze" >> beam.ParDo(fn).with_outputs(REJECTED, BEATS, CURVES, FIGURES, main="videos"))
    for tag, name in (("videos", "per_video"), (BEATS, "per_beat"), (FIGURES, "figure_curves")):
        _ = (results[tag]
             | f"Json[{name}]" >> beam.Map(json.dumps, sort_keys=True)
             | f"Write[{name}]" >> beam.io.WriteToText(storage.join(work, f"{name}.jsonl"), shard_name_template=""))
    _ = (((pipeline | "PlanRejects" >> beam.Create([r.to_json() for r in plan.rejects])), results[REJECTED])
         | "AllRejects" >> beam.Flatten()
         | "CountRejects" >> beam.ParDo(CountRejectsFn(NAMESPACE))
         | "RejectJson" >> beam.Map(json.dumps, sort_keys=True)
         | "WriteRejects" >> beam.io.WriteToText(storage.join(work, "rejected.jsonl"), shard_name_template=""))
    _ = results[CURVES] | "WriteCurves" >> beam.io.WriteToText(
        storage.join(run.staging, CURVE_DIR, "curves"), file_name_suffix=".csv", header=",".join(CURVE_FIELDS))


def launcher_options(argv: list[str]) -> tuple[AnalyzeOptions, PipelineOptions]:
    """The job options and the PipelineOptions this launcher runs with (no cloud call)."""
    job, beam_args = launch_options.parse_job_args(AnalyzeOptions, argv, description=__doc__.split("\n\n")[0],
                                                   prog="lvseg analyze")
    job = job.validated()
    options = launch_options.pipeline_options(beam_args)
    launch_options.check_paths_for_runner(options, job.videos, job.out, *model_paths(job.models))
    return job, options


def run(argv: list[str] | None = None) -> dict:
    """Plan, claim OUT, run the job, write and publish the report; returns summary.json's content."""
    job, options = launcher_options(list(sys.argv[1:] if argv is None else argv))
    _check_out_apart(job.videos, job.out)
    infos = describe_all(list(job.models))
    plan = plan_videos(job.videos, job.splits)
    if not plan.tasks and not plan.rejects:
        raise UserError(f"{job.videos}: no video to analyse (splits {' '.join(job.splits) or 'all'})")
    with claimed(job.out, OWNED) as out_run:
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, job, infos, plan, out_run)
        work = storage.join(out_run.staging, WORK_DIR)
        videos = read_jsonl(storage.join(work, "per_video.jsonl"))
        rejects = read_jsonl(storage.join(work, "rejected.jsonl"))
        analysed = len({r["video_id"] for r in videos})
        counts = {"input_videos": plan.input_videos, "analysed_videos": analysed, "rejected_videos": len(rejects),
                  "skipped_videos": plan.skipped}
        if analysed + len(rejects) + plan.skipped != plan.input_videos:
            raise RuntimeError(f"videos do not reconcile: {counts}")
        inputs = {"videos": job.videos, "layout": plan.layout, "splits": list(job.splits),
                  "bootstrap_samples": job.bootstrap_samples, "seed": job.seed, "fps": job.fps,
                  "temporal_window": job.temporal_window, "mirror_average": job.mirror_average,
                  "declutter": job.declutter, "save_masks": job.save_masks}
        summary = write_report(out_run.staging, inputs, infos, videos, read_jsonl(storage.join(work, "per_beat.jsonl")),
                               rejects, read_jsonl(storage.join(work, "figure_curves.jsonl")), counts)
        publish(out_run, OWNED, {"kind": "video analysis", **counts, "input_fingerprint": input_fingerprint(job.videos),
                                 "versions": package_versions(), "models": [i.name for i in infos]})
    return {**summary, "report": storage.join(job.out, REPORT_FILE)}


def _check_out_apart(videos: str, out: str) -> None:
    """OUT must not be the folder the videos are read from (nor its Videos/): the next analysis of that
    folder would take the report's files for videos."""
    def same(a: str, b: str) -> bool:
        if storage.is_gcs(a) or storage.is_gcs(b):
            return a.rstrip("/") == b.rstrip("/")
        return os.path.realpath(a) == os.path.realpath(b)

    if any(same(out, folder) for folder in (videos, storage.join(videos, "Videos"))):
        raise UserError(f"--out {out} is the folder the videos are read from; choose another output folder")


def main(argv: list[str] | None = None) -> int:
    """``lvseg analyze``: the batch job (one clip frame by frame, as a device runs it: ``lvseg stream``)."""
    summary = run(list(sys.argv[1:] if argv is None else argv))
    counts = summary["counts"]
    print(RESEARCH_NOTICE)
    print(f"videos: {counts['input_videos']} in, {counts['analysed_videos']} analysed, "
          f"{counts['rejected_videos']} rejected, {counts['skipped_videos']} skipped")
    print(f"report: {summary['report']}")
    print(headline_text(summary["results"]))
    return 0
