"""A whole video's analysis: a measure per frame, the volume curve, its beats and EF (the batch analyser).

The same per-frame measure (lvseg.analysis.volumes) and the same BeatTracker (lvseg.analysis.beats) as
the streaming analyser (lvseg.inference.stream) run over every frame, so both give the same beats, EF and
quality flags; the Beam analysis job calls ``analyse_video`` once per video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lvseg.analysis.beats import Beat, BeatConfig, BeatTracker, median_ef
from lvseg.analysis.volumes import FrameMeasure, measure
from lvseg.inference.decode import Segmentation


def frame_volume(frame_measure: FrameMeasure) -> float:
    """The frame's disk volume, NaN for a frame that could not be measured (the tracker bridges or splits)."""
    return frame_measure.volume if frame_measure.ok else math.nan


@dataclass(frozen=True)
class CurveAnalysis:
    """A whole video's curve: per-frame bridged and smoothed volumes (NaN where not analysed), beats, EF."""

    fps: float
    filled: np.ndarray
    smoothed: np.ndarray
    beats: tuple[Beat, ...]
    ef: float | None  # median_ef of the (good) beats; without one, BeatTracker.extremes_ef (flag 'partial_beats')
    flags: tuple[str, ...]


def analyse_curve(volumes: np.ndarray, fps: float, config: BeatConfig = BeatConfig()) -> CurveAnalysis:
    """Beats and EF of a volume curve (NaN = failed frame): the BeatTracker run over the whole curve."""
    volumes = np.asarray(volumes, dtype=np.float64).ravel()
    tracker = BeatTracker(fps, config)
    filled, smoothed = np.full(len(volumes), np.nan), np.full(len(volumes), np.nan)
    beats: list[Beat] = []
    for step in [*(tracker.push(v) for v in volumes), tracker.finish()]:
        for sample in step.smoothed:
            smoothed[sample.frame], filled[sample.frame] = sample.smoothed, sample.volume
        beats.extend(step.beats)
    ef = median_ef(beats) if beats else tracker.extremes_ef
    return CurveAnalysis(float(fps), filled, smoothed, tuple(beats), ef, tracker.flags())


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
        return np.array([frame_volume(m) for m in self.measures])

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
    return VideoAnalysis(measures, analyse_curve(np.array([frame_volume(m) for m in measures]), fps, config))


def running_ef(volumes: Sequence[float] | np.ndarray, fps: float, config: BeatConfig = BeatConfig()) -> list[float | None]:
    """The running EF a device shows after each frame (the tracker's EF once that frame is pushed)."""
    tracker = BeatTracker(fps, config)
    shown = []
    for volume in volumes:
        tracker.push(float(volume))
        shown.append(tracker.ef)
    return shown
