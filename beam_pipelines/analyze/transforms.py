"""The analysis job's DoFn (a module of its own so workers import, not unpickle, it).

One element is one video id. AnalyzeVideoFn loads every model once per worker (``setup``), decodes the
video once, segments all its frames with each model in batches, analyses each model's segmentations
(lvseg.analysis.video) and emits the per-video row (main output), its beats, its per-frame curve lines,
the curves of the few videos the report draws, and GIFs of those; a video that cannot be read goes to
the ``rejected`` dead-letter output with its reason. I/O errors are re-raised for Beam to retry.
"""

from __future__ import annotations


import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from beam_pipelines.analyze.rows import CURVE_FIELDS, beat_rows, csv_line, curve_rows, video_row
from beam_pipelines.staged_plan import load_plan
from lvseg import storage
from lvseg.analysis.video import analyse_video, running_ef
from lvseg.datasets.limits import fps_problem
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.video import load_or_reject
from lvseg.inference.models import ModelInfo, load_runner
from lvseg.report.figures import video_gif

NAMESPACE = "lvseg.analyze"
REJECTED, BEATS, CURVES, FIGURES = "rejected", "beats", "curves", "figures"


class AnalyzeVideoFn(beam.DoFn):
    """A video id -> per-video rows (one per model) and tagged beats, curves, figure curves and rejects."""

    def __init__(self, plan_path: str, infos: list[ModelInfo], batch_size: int, figure_ids: tuple[str, ...],
                 gif_folder: str, gif_max_frames: int):
        self.plan_path, self.infos, self.batch_size = plan_path, infos, batch_size
        self.figure_ids, self.gif_folder, self.gif_max_frames = set(figure_ids), gif_folder, gif_max_frames
        self.runners: list = []
        self.videos = Metrics.counter(NAMESPACE, "videos_analysed")
        self.frames = Metrics.counter(NAMESPACE, "frames_segmented")

    def setup(self):
        self.runners = [load_runner(info, self.batch_size) for info in self.infos]

    def process(self, video_id: str):
        task = load_plan(self.plan_path)[video_id]
        loaded = load_or_reject(video_id, task.path)
        if isinstance(loaded, Reject):
            yield beam.pvalue.TaggedOutput(REJECTED, loaded.to_json())
            return
        frames, file_fps, _ = loaded
        fps = task.fps or file_fps  # FileList's rate is within limits already (lvseg.datasets.filelist)
        problem = fps_problem(fps)
        if problem:  # never a decoder's default, never a rate that would make the analysis run for minutes
            yield beam.pvalue.TaggedOutput(REJECTED, Reject(video_id, RejectReason.NO_FRAME_RATE,
                                                            f"the file states {problem}").to_json())
            return
        for info, runner in zip(self.infos, self.runners):
            segmentations = runner.segment(frames)
            analysis = analyse_video(segmentations, info.kind, fps)
            self.frames.inc(len(frames))
            yield video_row(task, info.name, info.kind, fps, analysis)
            for row in beat_rows(video_id, info.name, analysis):
                yield beam.pvalue.TaggedOutput(BEATS, row)
            lines = [csv_line(row, CURVE_FIELDS) for row in curve_rows(video_id, info.name, analysis)]
            if lines:  # one element per video and model, not per frame: a frame's line is tiny
                yield beam.pvalue.TaggedOutput(CURVES, "\n".join(lines))
            if video_id in self.figure_ids:
                yield beam.pvalue.TaggedOutput(FIGURES, figure_curve(video_id, info.name, fps, analysis))
                self._write_gif(video_id, info.name, frames, segmentations, analysis, fps)
        self.videos.inc()

    def _write_gif(self, video_id, model, frames, segmentations, analysis, fps) -> None:
        """The first frames with the model's contour and the running EF a device would show."""
        n = min(len(frames), self.gif_max_frames)
        shown = running_ef(analysis.volumes[:n], fps)
        captions = [f"EF {ef:.0f}%" if ef is not None else "EF --" for ef in shown]
        masks = [s.mask if s.ok else None for s in segmentations[:n]]
        gif = video_gif(frames[:n], masks, [None] * n, fps, scale=2, captions=captions)
        storage.write_bytes(storage.join(self.gif_folder, f"{model}__{video_id}.gif"), gif)


def figure_curve(video_id: str, model: str, fps: float, analysis) -> dict:
    """What the report's volume-curve picture of one video needs."""
    return {"video_id": video_id, "model": model, "fps": fps,
            "volumes": [None if not np.isfinite(v) else float(v) for v in analysis.volumes],
            "smoothed": [None if not np.isfinite(v) else float(v) for v in analysis.curve.smoothed],
            "beats": [[b.ed_frame, b.es_frame] for b in analysis.beats], "ef": analysis.ef}
