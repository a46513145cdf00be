"""Beam job: Dice of trained models on the held-out TEST records and an external (CAMUS-layout) set.

    python -m beam_pipelines.evaluate --models M [M ...] --records RECORDS [--external CAMUS] --out REPORT
    lvseg evaluate --models M [M ...] --records RECORDS [--external CAMUS] --out REPORT [Beam flags]

A model is a Keras MODEL_DIR or a .tflite file with its model card; mask and landmark models mix
freely. Landmark models are scored on the spline-rebuilt mask against the TRUE mask; the ceiling
(spline through the true landmarks) is reported beside them, never instead.

Job: read TEST frame records (ReadFromTFRecord, GZIP) and the external frames (staged by the launcher
in work/external.npz, read in one worker, then reshuffled) -> per model: BatchElements -> ScoreBatchFn
(model loaded once per worker in setup)
-> per-frame rows (work/scores.jsonl) and the best / median / worst frames of each (model, dataset)
(work/examples/*.npz); the first --gif-videos TEST videos -> one GIF per model (gifs/). After the
job, the launcher aggregates the rows (pooled Dice, seeded bootstrap CI, ED/ES, failures, ceiling;
see beam_pipelines.evaluate.scores for why there), writes per_frame.csv, summary.json, the plots and
report.html (beam_pipelines.evaluate.report), and deletes work/. Local runs use the FnApiRunner
(beam_pipelines.launch_options: no Prism download); Dataflow takes the same flags as preprocessing, with gs://
--records, --out and models (an external gs:// CAMUS root is copied to the launcher first).
"""

from __future__ import annotations

import json
import sys
from typing import cast

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from beam_pipelines import launch_options
from beam_pipelines.evaluate.frames import (external_frames, first_video_records, frame_from_record, load_frames,
                                            save_frames)
from beam_pipelines.evaluate.options import EvaluateOptions
from beam_pipelines.evaluate.report import GIF_DIR, REPORT_FILE, REPORT_OWNED, write_report
from beam_pipelines.evaluate.report_page import headline_text
from beam_pipelines.evaluate.scores import FrameRow
from beam_pipelines.evaluate.transforms import (PAYLOADS, ScoreBatchFn, VideoGifFn, WriteExamplesFn, dice_and_id,
                                                picks_of, select_picked)
from lvseg import RESEARCH_NOTICE, storage
from lvseg.inference.models import ModelInfo, describe_all, model_paths
from lvseg.publish import claimed, publish
from lvseg.records import shards
from lvseg.records.shards import RecordsError
from lvseg.report.tables import read_jsonl

WORK_DIR = "work"
SCORES_FILE = "scores.jsonl"
EXTERNAL_FILE = "external.npz"


def stage_external(options: EvaluateOptions, root: str) -> dict:
    """Decode the external set on the launcher and stage it under ROOT/work/ for the workers.

    Returns {"frames": n, "skipped": [{patient, reason}]} for the summary.
    """
    if not options.external:
        return {"frames": 0, "skipped": []}
    skipped: list = []
    frames = external_frames(options.external, skipped)
    save_frames(frames, storage.join(root, WORK_DIR, EXTERNAL_FILE))
    return {"frames": len(frames), "skipped": [{"patient": s.patient, "reason": s.reason} for s in skipped]}


def build_pipeline(pipeline: beam.Pipeline, options: EvaluateOptions, infos: list[ModelInfo], root: str) -> None:
    """Add the read / score / pick / GIF steps for every model to ``pipeline`` (stage_external first).

    Everything is written under ``root``, the report run's staging folder (lvseg.publish).
    """
    work = storage.join(root, WORK_DIR)
    pattern = shards.shard_pattern(options.records, "frames", options.split)
    sources = [pipeline
               | "ReadRecords" >> beam.io.ReadFromTFRecord(pattern, compression_type=beam.io.filesystem.
                                                           CompressionTypes.GZIP)
               | "DecodeRecords" >> beam.Map(frame_from_record, dataset=options.dataset, declutter=options.declutter)]
    if options.external:
        sources.append(pipeline
                       | "ExternalFile" >> beam.Create([storage.join(work, EXTERNAL_FILE)])
                       | "ReadExternal" >> beam.FlatMap(load_frames)
                       | "SpreadExternal" >> beam.Reshuffle())
    frames = sources | "AllFrames" >> beam.Flatten()
    batches = frames | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=options.batch_size)

    rows, payloads = [], []
    for info in infos:
        scored = batches | f"Score[{info.name}]" >> beam.ParDo(ScoreBatchFn(info)).with_outputs(PAYLOADS,
                                                                                                 main="rows")
        rows.append(scored.rows)
        payloads.append(scored[PAYLOADS])
    rows = rows | "AllRows" >> beam.Flatten()
    _ = (rows
         | "RowJson" >> beam.Map(json.dumps, sort_keys=True)
         | "WriteScores" >> beam.io.WriteToText(storage.join(work, SCORES_FILE), shard_name_template=""))
    picks = (rows
             | "DiceAndId" >> beam.Map(dice_and_id)
             | "GroupDice" >> beam.GroupByKey()
             | "Pick" >> beam.Map(picks_of))
    _ = ((payloads | "AllPayloads" >> beam.Flatten())
         | "KeepPicked" >> beam.FlatMap(select_picked, picks=beam.pvalue.AsDict(picks))
         | "GroupPicked" >> beam.GroupByKey()
         | "WriteExamples" >> beam.ParDo(WriteExamplesFn(storage.join(work, "examples"))))

    if options.gif_videos:
        videos = (pipeline
                  | "VideoSource" >> beam.Create([options.records])
                  | "FirstVideos" >> beam.FlatMap(first_video_records, options.split, options.gif_videos)
                  | "SpreadVideos" >> beam.Reshuffle())
        for info in infos:
            _ = videos | f"Gif[{info.name}]" >> beam.ParDo(VideoGifFn(
                info, storage.join(root, GIF_DIR), options.dataset, options.gif_max_frames,
                options.batch_size, options.declutter))


def launcher_options(argv: list[str]) -> tuple[EvaluateOptions, PipelineOptions]:
    """The job options and the PipelineOptions this launcher runs with (checks inputs, no cloud call)."""
    job, beam_args = launch_options.parse_job_args(EvaluateOptions, argv, description=__doc__.split("\n\n")[0],
                                                   prog="lvseg evaluate")
    job = job.validated()
    options = launch_options.pipeline_options(beam_args)
    # The external set is read here on the launcher (then staged under --out), so it may stay local.
    launch_options.check_paths_for_runner(options, job.records, job.out, *model_paths(job.models))
    shards.require_published(job.records, job.split)  # a complete RECORDS root with frames to score
    first = next(shards.iter_frames(job.records, job.split), None) if job.declutter else None
    if first is not None:
        shards.frame_floor(first)  # --declutter on records that carry no floor: one line before any worker starts
    return job, options


def run(argv: list[str] | None = None) -> dict:
    """Run the job and publish the report; returns summary.json's content (with ``report`` = report.html path).

    REPORT_DIR is claimed for the run and written as a unit (lvseg.publish): the job and the report write
    into the run's staging folder, whose work/ (staged dataset frames such as CAMUS images, not ours to
    redistribute, and the job's raw rows) is never published.
    """
    job, options = launcher_options(list(sys.argv[1:] if argv is None else argv))
    infos = describe_all(list(job.models))
    with claimed(job.out, REPORT_OWNED) as report_run:
        root = report_run.staging
        external = stage_external(job, root)
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(pipeline, job, infos, root)
        rows = cast(list[FrameRow], read_jsonl(storage.join(root, WORK_DIR, SCORES_FILE)))
        if not rows:
            raise RecordsError(f"nothing was scored: {job.records} holds no {job.split} frames to score")
        summary = write_report(job, infos, rows, root, storage.join(root, WORK_DIR, "examples"), external)
        publish(report_run, REPORT_OWNED, {"kind": "evaluation report", "lvseg_version": summary["lvseg_version"],
                                           "models": [i.name for i in infos], "datasets": job.datasets()})
    return {**summary, "report": storage.join(job.out, REPORT_FILE)}


def main(argv: list[str] | None = None) -> int:
    """``lvseg evaluate``: run, then print the report's path and the headline table."""
    summary = run(argv)
    print(RESEARCH_NOTICE)
    print(f"report: {summary['report']}")
    print(headline_text(summary["results"]))
    return 0

