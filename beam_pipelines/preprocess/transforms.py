"""The preprocessing job's PTransforms and DoFns (a module of its own so workers import, not unpickle, them).

Data flow: shard jobs -> Reshuffle -> WriteShardFn (decode each video once, write its frame and video
records, bad videos to the ``rejected`` dead-letter output) -> Finalize (rejected.jsonl, schema.json,
manifest.json, then the swap into RECORDS). Only shard plans, per-shard summaries and rejects travel
between steps; record bytes go straight from the worker that makes them to their shard file.
"""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack

import apache_beam as beam
from apache_beam.metrics import Metrics

from beam_pipelines.preprocess.sharding import STORED, ShardJob, ShardWriter
from beam_pipelines.staged_plan import load_plan
from lvseg import storage
from lvseg.datasets.echonet import EchoVideo, VideoTask, load_task
from lvseg.datasets.rejects import Reject, RejectReason, reason_counts, rejects_jsonl
from lvseg.publish import Run, publish, release
from lvseg.records import schema
from lvseg.records.examples import frame_examples, video_example
from lvseg.records.shards import OWNED, SPLIT_NAMES

NAMESPACE = "lvseg.preprocess"
REJECTED = "rejected"
WRITTEN = "written"
_LOG = logging.getLogger(__name__)


def convert(task: VideoTask, scheme: str, sigma: float, with_video: bool) -> tuple[list[bytes], bytes | None] | Reject:
    """Decode one video and build its records: (frame records ED then ES, video record or None), or a Reject.

    A video that cannot be decoded is a Reject (lvseg.datasets.video.load_or_reject), never a failed job.
    """
    video_id = task.meta.video_id
    loaded = load_task(task)
    if not isinstance(loaded, EchoVideo):
        return loaded
    try:
        return frame_examples(loaded, scheme, sigma), (video_example(loaded) if with_video else None)
    except Exception as err:
        # The tracings passed plan_dataset's checks, so this is geometry the landmark code cannot handle
        # (or a bug: hence the traceback in the log).
        _LOG.exception("records of %s failed", video_id)
        return Reject(video_id, RejectReason.RECORD_BUILD_FAILED, f"{type(err).__name__}: {err}")


class WriteShardFn(beam.DoFn):
    """Writes one shard (frames and, optionally, videos) from a ShardJob; emits a summary and rejects."""

    def __init__(self, plan_path: str, staging: str, scheme: str, sigma: float, with_video: bool):
        self.plan_path, self.staging = plan_path, staging
        self.scheme, self.sigma, self.with_video = scheme, sigma, with_video
        self.videos = Metrics.counter(NAMESPACE, "videos_written")
        self.frames = Metrics.counter(NAMESPACE, "frames_written")
        self.shards = Metrics.counter(NAMESPACE, "shards_written")

    def process(self, job: ShardJob):
        plan = load_plan(self.plan_path)
        rejects: list[dict] = []
        written = frames = 0
        with ExitStack() as stack:
            frame_out = stack.enter_context(ShardWriter(storage.join(self.staging, "frames", job.file_name())))
            video_out = (stack.enter_context(ShardWriter(storage.join(self.staging, "videos", job.file_name()),
                                                         STORED)) if self.with_video else None)
            for video_id in job.video_ids:
                result = convert(plan[video_id], self.scheme, self.sigma, self.with_video)
                if isinstance(result, Reject):
                    rejects.append(result.to_json())
                    continue
                frame_records, video_record = result
                for record in frame_records:
                    frame_out.write(record)
                if video_out is not None and video_record is not None:  # both exist exactly when with_video
                    video_out.write(video_record)
                written += 1
                frames += len(frame_records)
        # Counted only once the shard is complete; a retried shard counts once in committed metrics.
        self.videos.inc(written)
        self.frames.inc(frames)
        self.shards.inc()
        for reject in rejects:
            yield beam.pvalue.TaggedOutput(REJECTED, reject)
        yield {"split": job.split, "shard": job.index, "shards": job.count, "videos": written, "frames": frames}


class WriteShards(beam.PTransform):
    """ShardJobs -> {"written": per-shard summaries, "rejected": dead-letter reject dicts}."""

    def __init__(self, plan_path: str, staging: str, scheme: str, sigma: float, with_video: bool):
        super().__init__()
        self.fn = WriteShardFn(plan_path, staging, scheme, sigma, with_video)

    def expand(self, jobs):
        results = (jobs
                   | "SpreadOverWorkers" >> beam.Reshuffle()
                   | "DecodeAndWrite" >> beam.ParDo(self.fn).with_outputs(REJECTED, main=WRITTEN))
        return {WRITTEN: results[WRITTEN], REJECTED: results[REJECTED]}


class FinalizeFn(beam.DoFn):
    """Writes rejected.jsonl and schema.json into staging, checks the counts, publishes, releases the claim.

    Publishing here, in the job's last step, rather than in the launcher lets a Dataflow job launched
    without waiting (a flex template) complete its own output; manifest.json is written last (lvseg.publish).
    """

    def __init__(self, run: Run, manifest: dict):
        self.run, self.manifest = run, manifest

    def process(self, _, summaries: list[dict], rejects: list[dict]):
        manifest = build_manifest(self.manifest, summaries, rejects)
        storage.write_text(storage.join(self.run.staging, "rejected.jsonl"), rejects_jsonl(rejects))
        storage.write_text(storage.join(self.run.staging, "schema.json"), _dumps(schema.schema_json()))
        published = publish(self.run, OWNED, manifest)
        release(self.run)
        yield published


def build_manifest(base: dict, summaries: list[dict], rejects: list[dict]) -> dict:
    """The driver's facts plus what the workers wrote; raises if the videos do not reconcile."""
    manifest = dict(base)
    by_split = {SPLIT_NAMES[s]: {"videos": 0, "frames": 0, "shards": 0} for s in base["options"]["splits"]}
    for s in summaries:
        entry = by_split[SPLIT_NAMES[s["split"]]]
        entry["videos"] += s["videos"]
        entry["frames"] += s["frames"]
        entry["shards"] = s["shards"]
    manifest["written_videos"] = sum(e["videos"] for e in by_split.values())
    manifest["rejected"] = reason_counts(rejects)
    manifest["rejected_videos"] = len(rejects)
    manifest["labeled_frames"] = {k: e["frames"] for k, e in by_split.items()}
    manifest["splits"] = by_split
    total = manifest["written_videos"] + manifest["rejected_videos"] + manifest["skipped_videos"]
    if total != manifest["input_videos"]:
        raise RuntimeError(f"videos do not reconcile: {manifest['input_videos']} in, {total} accounted for")
    return manifest


def _dumps(value: dict) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"
