"""The analysis job's DoFn (a module of its own so workers import, not unpickle, it).

One element is one video id. AnalyzeVideoFn loads every model once per worker (``setup``; wrapped in a
MirrorRunner with ``mirror_average``, then in a TemporalRunner when ``temporal_window`` > 1), reads the
video once as 112x112 frames (an EchoNet AVI as it is; a scanner export converted lazily to the EchoNet
frame: lvseg.datasets.scanner.clip_input), with ``declutter`` takes that share of its static clutter off
every frame (lvseg.inference.declutter; GIFs and overlays still show the frames as read), segments all its frames
with each model in batches, analyses
each model's segmentations (lvseg.analysis.video) and emits the per-video row (main output), its beats, its
per-frame curve lines, the curves of the few videos the report draws, and GIFs of those; with a mask
folder, every frame's mask and an overlay video (masks.py). A video that cannot be used goes to the
``rejected`` dead-letter output with its reason. I/O errors are re-raised for Beam to retry.
"""

from __future__ import annotations


import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from beam_pipelines.analyze.masks import ef_captions, output_name, write_masks
from beam_pipelines.analyze.rows import CURVE_FIELDS, beat_rows, csv_line, curve_rows, video_row
from beam_pipelines.staged_plan import load_plan
from lvseg import storage
from lvseg.analysis.video import analyse_video
from lvseg.datasets.rejects import Reject
from lvseg.datasets.scanner.clip_input import load_for_analysis
from lvseg.inference.declutter import declutter_clip
from lvseg.inference.models import ModelInfo, load_runner
from lvseg.inference.runners import Runner
from lvseg.inference.mirror import MirrorRunner
from lvseg.inference.temporal import TemporalRunner
from lvseg.report.figures import video_gif

NAMESPACE = "lvseg.analyze"
REJECTED, BEATS, CURVES, FIGURES = "rejected", "beats", "curves", "figures"


class AnalyzeVideoFn(beam.DoFn):
    """A video id -> per-video rows (one per model) and tagged beats, curves, figure curves and rejects."""

    def __init__(self, plan_path: str, infos: list[ModelInfo], batch_size: int, figure_ids: tuple[str, ...],
                 gif_folder: str, gif_max_frames: int, fallback_fps: float | None = None, temporal_window: int = 1,
                 mask_folder: str = "", mirror_average: bool = False, declutter: float = 0.0):
        self.plan_path, self.infos, self.batch_size = plan_path, infos, batch_size
        self.figure_ids, self.gif_folder, self.gif_max_frames = set(figure_ids), gif_folder, gif_max_frames
        self.fallback_fps, self.temporal_window, self.mask_folder = fallback_fps, temporal_window, mask_folder
        self.mirror_average, self.declutter = mirror_average, declutter
        self.runners: list[Runner] = []
        self.videos = Metrics.counter(NAMESPACE, "videos_analysed")
        self.scanner_videos = Metrics.counter(NAMESPACE, "scanner_videos_converted")
        self.frames = Metrics.counter(NAMESPACE, "frames_segmented")
        self.masks = Metrics.counter(NAMESPACE, "mask_files_written")

    def setup(self):
        runners = [load_runner(info, self.batch_size) for info in self.infos]
        runners = [MirrorRunner(r) for r in runners] if self.mirror_average else runners
        self.runners = [TemporalRunner(r, self.temporal_window) if self.temporal_window > 1 else r for r in runners]

    def process(self, video_id: str):
        task = load_plan(self.plan_path)[video_id]
        clip = load_for_analysis(task, self.fallback_fps)
        if isinstance(clip, Reject):
            yield beam.pvalue.TaggedOutput(REJECTED, clip.to_json())
            return
        frames, fps = clip.frames, clip.fps
        seen = declutter_clip(frames, fps, self.declutter)
        for info, runner in zip(self.infos, self.runners):
            segmentations = runner.segment(seen)
            analysis = analyse_video(segmentations, info.kind, fps)
            self.frames.inc(len(frames))
            yield video_row(task, info.name, info.kind, clip, analysis)
            for row in beat_rows(video_id, info.name, analysis, clip.mapping):
                yield beam.pvalue.TaggedOutput(BEATS, row)
            lines = [csv_line(row, CURVE_FIELDS) for row in curve_rows(video_id, info.name, analysis, clip.mapping)]
            if lines:  # one element per video and model, not per frame: a frame's line is tiny
                yield beam.pvalue.TaggedOutput(CURVES, "\n".join(lines))
            if video_id in self.figure_ids:
                yield beam.pvalue.TaggedOutput(FIGURES, figure_curve(video_id, info.name, fps, analysis))
                self._write_gif(video_id, info.name, frames, segmentations, analysis, fps)
            if self.mask_folder:
                write_masks(self.mask_folder, info.name, video_id, clip, segmentations, analysis)
                self.masks.inc(2)
        if clip.mapping is not None:
            self.scanner_videos.inc()
        self.videos.inc()

    def _write_gif(self, video_id, model, frames, segmentations, analysis, fps) -> None:
        """The first frames with the model's contour and the running EF a device would show."""
        n = min(len(frames), self.gif_max_frames)
        captions = ef_captions(analysis.volumes[:n], fps)
        masks = [s.mask if s.ok else None for s in segmentations[:n]]
        gif = video_gif(frames[:n], masks, [None] * n, fps, scale=2, captions=captions)
        storage.write_bytes(storage.join(self.gif_folder, output_name(model, video_id) + ".gif"), gif)


def figure_curve(video_id: str, model: str, fps: float, analysis) -> dict:
    """What the report's volume-curve picture of one video needs."""
    return {"video_id": video_id, "model": model, "fps": fps,
            "volumes": [None if not np.isfinite(v) else float(v) for v in analysis.volumes],
            "smoothed": [None if not np.isfinite(v) else float(v) for v in analysis.curve.smoothed],
            "beats": [[b.ed_frame, b.es_frame] for b in analysis.beats], "ef": analysis.ef}
