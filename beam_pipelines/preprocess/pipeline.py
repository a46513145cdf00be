"""Beam job: an EchoNet-Dynamic dataset (local or gs://) -> sharded GZIP TFRecords under RECORDS.

    python -m beam_pipelines.preprocess --data DATASET --out RECORDS [options] [Beam flags]
    lvseg preprocess --data DATASET --out RECORDS [options] [Beam flags]

Output (see lvseg.records.shards): frames/{split}-SSSSS-of-NNNNN.tfrecord.gz (one Example per traced frame),
videos/... (one Example per video, unless --no-write-videos), schema.json, manifest.json, rejected.jsonl.
manifest.json reconciles: input_videos (FileList rows + orphan tracing ids) == written_videos +
rejected_videos + skipped_videos (valid videos of splits left out by --splits; 0 by default).

Local runs default to the FnApiRunner (no Prism download; add ``--direct_num_workers 2
--direct_running_mode multi_processing`` for parallel workers). On Dataflow:
``--runner DataflowRunner --project P --region R --temp_location gs://B/tmp --setup_file ./setup.py``
(or ``--sdk_container_image``), with gs:// --data and --out.

The CSVs are validated on the driver while the pipeline is built (plan_dataset); each video is decoded
once, in the worker that writes its shard. Same inputs and options give byte-identical outputs. Shards
hold 100 videos by default (--shards to choose): a worker streams records to disk, so memory stays at
one video whatever the shard size, and no step ever holds the dataset.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from typing import NamedTuple

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from beam_pipelines import launch_options
from beam_pipelines.dead_letters import CountRejectsFn
from beam_pipelines.preprocess.sharding import VIDEOS_PER_SHARD, plan_shards
from beam_pipelines.preprocess.transforms import NAMESPACE, REJECTED, WRITTEN, FinalizeFn, WriteShards
from beam_pipelines.provenance import input_fingerprint, package_versions
from beam_pipelines.staged_plan import save_plan
from lvseg import flags, storage
from lvseg.datasets.echonet import plan_dataset
from lvseg.datasets.filelist import SPLITS
from lvseg.geometry.heatmaps import DEFAULT_SIGMA
from lvseg.geometry.landmarks import DEFAULT_SCHEME, parse_scheme
from lvseg.publish import Run, claimed, read_complete
from lvseg.records import schema
from lvseg.records.shards import OWNED


@dataclass(frozen=True)
class PreprocessOptions:
    """The job's own options (Beam's are separate); one flag per field."""

    data: str = field(default="", metadata={"help": "dataset root in the EchoNet layout, local or gs://bucket/prefix"})
    out: str = field(default="", metadata={"help": "RECORDS root to write (replaced as a whole), local or gs://"})
    landmark_scheme: str = field(default=DEFAULT_SCHEME, metadata={"help": "landmark scheme: seed6 or contourK"})
    heatmap_sigma: float = field(default=DEFAULT_SIGMA, metadata={
        "above": 0, "help": "Gaussian sigma of the heatmaps, pixels"})
    shards: int = field(default=0, metadata={"min": 0,
        "help": f"shards per split, frames and videos alike; 0 = one per {VIDEOS_PER_SHARD} videos"})
    splits: tuple[str, ...] = field(default=SPLITS, metadata={"help": "splits to write (TRAIN VAL TEST)"})
    write_videos: bool = field(default=True, metadata={"help": "also write whole-video records under videos/"})

    def validated(self) -> "PreprocessOptions":
        """A normalized copy (upper-case splits in canonical order); raises OptionError on bad values."""
        flags.check_limits(self)
        if not self.data or not self.out:
            raise flags.OptionError("--data and --out are required")
        parse_scheme(self.landmark_scheme)
        wanted = {s.upper() for s in self.splits}
        if not wanted or not wanted <= set(SPLITS):
            raise flags.OptionError(f"--splits must be among {SPLITS}, got {self.splits}")
        return dataclasses.replace(self, splits=tuple(s for s in SPLITS if s in wanted))


class PreprocessResult(NamedTuple):
    """Handles on the built pipeline, for tests and callers that chain more steps."""

    written: beam.PCollection    # one summary dict per shard
    rejected: beam.PCollection   # one reject dict per rejected video (plan and decode rejects)
    manifest: beam.PCollection   # the single manifest dict, after publishing


def build_pipeline(pipeline: beam.Pipeline, options: PreprocessOptions, run: Run) -> PreprocessResult:
    """Validate the CSVs here on the driver, then add the decode/write/publish steps to ``pipeline``.

    ``run`` is the claim on RECORDS (lvseg.publish.begin / claimed): shards are written into its staging
    folder, and the last step publishes them. Side effect: the validated tasks are saved there too
    (plan.pkl, not published) for the workers; they would bloat the job graph (Dataflow caps it at 10 MB)
    if shipped inside Create.
    """
    options = options.validated()
    plan = plan_dataset(options.data)
    tasks, plan_rejects = plan.tasks, plan.rejects
    selected = [t for t in tasks if t.meta.split in options.splits]
    staging = run.staging
    plan_path = storage.join(staging, "plan.pkl")
    save_plan(plan_path, {t.meta.video_id: t for t in selected})
    ids_by_split = {s: [t.meta.video_id for t in selected if t.meta.split == s] for s in options.splits}
    jobs = plan_shards(ids_by_split, options.shards)

    written = (pipeline
               | "ShardPlan" >> beam.Create(jobs)
               | "WriteShards" >> WriteShards(plan_path, staging, options.landmark_scheme,
                                              options.heatmap_sigma, options.write_videos))
    rejected = (((pipeline | "PlanRejects" >> beam.Create([r.to_json() for r in plan_rejects])),
                 written[REJECTED])
                | "AllRejects" >> beam.Flatten()
                | "CountRejects" >> beam.ParDo(CountRejectsFn(NAMESPACE)))
    base = {
        "schema_version": schema.SCHEMA_VERSION,
        "input_fingerprint": input_fingerprint(options.data),
        "input_videos": plan.input_videos,  # FileList rows + orphan tracing ids
        "csv_problems": plan.problems,       # CSV lines that belong to no video (none in a clean dataset)
        "skipped_videos": len(tasks) - len(selected),    # valid rows of splits not asked for
        "options": {k: v for k, v in dataclasses.asdict(options).items() if k != "out"},
        "versions": package_versions(),
    }
    manifest = (pipeline
                | "Start" >> beam.Create([None])
                | "Finalize" >> beam.ParDo(FinalizeFn(run, base),
                                           summaries=beam.pvalue.AsList(written[WRITTEN]),
                                           rejects=beam.pvalue.AsList(rejected)))
    return PreprocessResult(written[WRITTEN], rejected, manifest)


def launcher_options(argv: list[str]) -> tuple[PreprocessOptions, PipelineOptions]:
    """The job options and the PipelineOptions this launcher runs with (no cloud call)."""
    job, beam_args = launch_options.parse_job_args(PreprocessOptions, argv, description=__doc__.split("\n\n")[0],
                                           prog="lvseg preprocess")
    job = job.validated()
    options = launch_options.pipeline_options(beam_args)
    launch_options.check_paths_for_runner(options, job.data, job.out)
    return job, options


def run(argv: list[str] | None = None) -> dict:
    """Claim RECORDS, build and run the job; blocks until it is done and returns the published manifest.

    The claim (RECORDS/.lock) is released however the job ends; the job's last step publishes.
    """
    job, options = launcher_options(list(sys.argv[1:] if argv is None else argv))
    with claimed(job.out, OWNED) as records_run, beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, job, records_run)
    return read_complete(job.out)


def main(argv: list[str] | None = None) -> int:
    """``lvseg preprocess``: run and print the manifest's counts."""
    manifest = run(argv)
    print(f"videos: {manifest['input_videos']} in, {manifest['written_videos']} written, "
          f"{manifest['rejected_videos']} rejected, {manifest['skipped_videos']} skipped")
    print(f"labeled frames: {json.dumps(manifest['labeled_frames'])}")
    if manifest["rejected"]:
        print(f"rejected: {json.dumps(manifest['rejected'])}")
    return 0

