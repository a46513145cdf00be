"""Streaming video analysis as a handheld app runs it, and the same analysis of a whole video.

``StreamAnalyser``: uint8 frames in, one at a time, over a segmentation runner (an object with ``kind``,
'mask' or 'landmarks', and ``segment(frames) -> list[Segmentation]``: lvseg.inference.runners's
TFLiteRunner quantizes, invokes, dequantizes and applies the shared decode rule). Each frame gives
its Segmentation, its FrameMeasure (lvseg.analysis.volumes), the beats it completed and the running EF
(lvseg.analysis.beats.BeatTracker). Memory is bounded: the tracker's smoothing window, the EFs of the
last few beats, and a ring buffer of the latest smoothed volumes spanning one cycle at the slowest
heart rate (what an app draws); nothing grows with the number of frames.

``analyse_video`` (and ``analyse_curve`` for a volume curve) is the batch analysis: the same per-frame
measure and the same tracker over every frame, so a stream and a whole video give the same beats, EF
and flags (the stream's running EF uses the latest BeatConfig.ef_beats beats, a video all of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from lvseg.analysis.beats import Beat, BeatConfig, BeatTracker, median_ef
from lvseg.analysis.volumes import FrameMeasure, measure
from lvseg.inference.decode import Segmentation

SLOWEST_BPM = 40.0  # the slowest heart rate considered: the display buffer holds one such cycle


class Runner(Protocol):
    """What the analysers need from a model runner (lvseg.inference.runners.TFLiteRunner, KerasRunner)."""

    kind: str

    def segment(self, frames: np.ndarray) -> list[Segmentation]: ...


def _volume(frame_measure: FrameMeasure) -> float:
    return frame_measure.volume if frame_measure.ok else math.nan


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

    def flags(self) -> tuple[str, ...]:
        return self.tracker.flags()

    def _record(self, samples: list[tuple[int, float, float]]) -> None:
        for frame, smoothed, _ in samples:
            slot = frame % len(self._curve)
            self._curve_frames[slot], self._curve[slot] = frame, smoothed

    def push(self, frame: np.ndarray) -> FrameResult:
        segmentation = self.runner.segment(np.asarray(frame)[None])[0]
        frame_measure = measure(segmentation, self.runner.kind)
        step = self.tracker.push(_volume(frame_measure))
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


@dataclass(frozen=True)
class CurveAnalysis:
    """A whole video's curve: per-frame bridged and smoothed volumes (NaN where not analysed), beats, EF."""

    fps: float
    filled: np.ndarray
    smoothed: np.ndarray
    beats: tuple[Beat, ...]
    ef: float | None  # lvseg.analysis.beats.median_ef of the beats; None without a beat
    flags: tuple[str, ...]


def analyse_curve(volumes: np.ndarray, fps: float, config: BeatConfig = BeatConfig()) -> CurveAnalysis:
    """Beats and EF of a volume curve (NaN = failed frame): the BeatTracker run over the whole curve."""
    volumes = np.asarray(volumes, dtype=np.float64).ravel()
    tracker = BeatTracker(fps, config)
    filled, smoothed = np.full(len(volumes), np.nan), np.full(len(volumes), np.nan)
    beats: list[Beat] = []
    for step in [*(tracker.push(v) for v in volumes), tracker.finish()]:
        for frame, value, volume in step.smoothed:
            smoothed[frame], filled[frame] = value, volume
        beats.extend(step.beats)
    return CurveAnalysis(float(fps), filled, smoothed, tuple(beats), median_ef(beats, config.major_fraction),
                         tracker.flags())


@dataclass(frozen=True)
class VideoAnalysis:
    """A whole video: one FrameMeasure per frame and the analysis of its volume curve."""

    measures: tuple[FrameMeasure, ...]
    curve: CurveAnalysis

    @property
    def areas(self) -> np.ndarray:
        return np.array([m.area for m in self.measures])

    @property
    def volumes(self) -> np.ndarray:
        """Per-frame disk volumes (NaN where the frame failed)."""
        return np.array([_volume(m) for m in self.measures])

    @property
    def beats(self) -> tuple[Beat, ...]:
        return self.curve.beats

    @property
    def ef(self) -> float | None:
        return self.curve.ef

    @property
    def flags(self) -> tuple[str, ...]:
        return self.curve.flags


def analyse_video(segmentations: Sequence[Segmentation], kind: str, fps: float,
                  config: BeatConfig = BeatConfig()) -> VideoAnalysis:
    """Measures, beats and EF of a whole video's segmentations (``kind``: the runner's 'mask' or 'landmarks')."""
    measures = tuple(measure(s, kind) for s in segmentations)
    return VideoAnalysis(measures, analyse_curve(np.array([_volume(m) for m in measures]), fps, config))
