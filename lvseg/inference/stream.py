"""Streaming video analysis as a handheld app runs it: uint8 frames in, one at a time, EF out as it goes.

``StreamAnalyser`` runs over a Runner (lvseg.inference.runners: a TFLiteRunner quantizes, invokes,
dequantizes and applies the shared decode rule). Each frame gives its Segmentation, its FrameMeasure
(lvseg.analysis.volumes), the beats it completed and the running EF (lvseg.analysis.beats.BeatTracker).
Memory is bounded: the tracker's smoothing window, the EFs of the last few beats, and a ring buffer of
the latest smoothed volumes spanning one cycle at the slowest heart rate (what an app draws); nothing
grows with the number of frames. lvseg.analysis.video is the batch twin: the same measure and tracker
over a whole video, so a stream and a video give the same beats, EF and flags (the stream's running EF
uses the latest BeatConfig.ef_beats beats, a video all of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lvseg.analysis.beats import Beat, BeatConfig, BeatTracker
from lvseg.analysis.video import frame_volume
from lvseg.analysis.volumes import FrameMeasure, measure
from lvseg.inference.decode import Segmentation
from lvseg.inference.runners import Runner

SLOWEST_BPM = 40.0  # the slowest heart rate considered: the display buffer holds one such cycle


@dataclass(frozen=True)
class FrameResult:
    """One streamed frame: its segmentation and measures, the beats it completed, the running EF."""

    index: int
    segmentation: Segmentation
    measure: FrameMeasure
    beats: tuple[Beat, ...]
    ef: float | None


class StreamAnalyser:
    """Push uint8 frames (112, 112) one at a time; call ``finish`` at the end of the stream."""

    def __init__(self, runner: Runner, fps: float, config: BeatConfig = BeatConfig()) -> None:
        self.runner = runner
        self.tracker = BeatTracker(fps, config)
        size = int(math.ceil(fps * 60.0 / SLOWEST_BPM))
        self._curve_frames = np.full(size, -1, dtype=np.int64)
        self._curve = np.full(size, np.nan)
        self._count = 0

    @property
    def ef(self) -> float | None:
        """Running EF (BeatTracker.ef): over the latest BeatConfig.ef_beats beats, None before the first."""
        return self.tracker.ef

    @property
    def video_ef(self) -> float | None:
        """The EF to report once the stream ends: the running EF, or without any whole beat the EF of the
        largest ED and smallest ES seen (flag 'partial_beats'), as the batch analysis reports it."""
        return self.tracker.ef if self.tracker.ef is not None else self.tracker.extremes_ef

    def flags(self) -> tuple[str, ...]:
        return self.tracker.flags()

    def _record(self, samples: list[tuple[int, float, float]]) -> None:
        for frame, smoothed, _ in samples:
            slot = frame % len(self._curve)
            self._curve_frames[slot], self._curve[slot] = frame, smoothed

    def push(self, frame: np.ndarray) -> FrameResult:
        segmentation = self.runner.segment(np.asarray(frame)[None])[0]
        frame_measure = measure(segmentation, self.runner.kind)
        step = self.tracker.push(frame_volume(frame_measure))
        self._record(step.smoothed)
        index, self._count = self._count, self._count + 1
        return FrameResult(index, segmentation, frame_measure, tuple(step.beats), self.tracker.ef)

    def finish(self) -> tuple[Beat, ...]:
        """End of stream: the beats still pending (an ES at the very end); ``ef`` and ``flags`` are final."""
        step = self.tracker.finish()
        self._record(step.smoothed)
        return tuple(step.beats)

    def recent_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(frame indices, smoothed volumes) of the latest smoothed frames, oldest first."""
        keep = self._curve_frames >= 0
        order = np.argsort(self._curve_frames[keep])
        return self._curve_frames[keep][order], self._curve[keep][order]
