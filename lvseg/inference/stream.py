"""Streaming video analysis as a handheld app runs it: uint8 frames in, one at a time, EF out as it goes.

``StreamAnalyser`` runs over a Runner (lvseg.inference.runners: a TFLiteRunner quantizes, invokes,
dequantizes and applies the shared decode rule). Each analysed frame gives its Segmentation, its FrameMeasure
(lvseg.analysis.volumes), the beats it completed and the running EF (lvseg.analysis.beats.BeatTracker).

With ``temporal_window`` > 1 each frame's raw output is averaged with its neighbours'
(lvseg.inference.temporal.TemporalWindow) before the shared output rule, so a frame's result comes
``temporal_window // 2`` frames after it was pushed and ``finish`` (or ``flush``) gives the last ones. With
``declutter`` > 0 frames lose that share of their clip's static clutter first (lvseg.inference.declutter): the
first FLOOR_S seconds are held until their floor is known, then every frame passes on as it comes.

Memory is bounded: the clutter floor's first seconds, the temporal window's ring buffer, the tracker's
smoothing window, the EFs of the last few beats, and a ring buffer of the latest smoothed volumes spanning one
cycle at the slowest heart rate (what an app draws); nothing grows with the number of frames.
lvseg.analysis.video is the batch twin: the same measure and tracker over a whole video (over
TemporalRunner(runner, window).segment for a window, of declutter_clip's frames), so a stream and a video give
the same beats, EF and flags (the stream's running EF uses the latest
BeatConfig.ef_beats beats, a video all of them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from lvseg.analysis.beats import Beat, BeatConfig, BeatTracker
from lvseg.analysis.smoothing import Sample
from lvseg.analysis.video import frame_volume
from lvseg.analysis.volumes import FrameMeasure, measure
from lvseg.inference.declutter import StreamDeclutter
from lvseg.inference.decode import Segmentation
from lvseg.inference.runners import Runner
from lvseg.inference.temporal import TemporalWindow, check_window

SLOWEST_BPM = 40.0  # the slowest heart rate considered: the display buffer holds one such cycle


@dataclass(frozen=True)
class FrameResult:
    """One analysed frame: its segmentation and measures, the beats it completed, the running EF."""

    index: int
    segmentation: Segmentation
    measure: FrameMeasure
    beats: tuple[Beat, ...]
    ef: float | None


class StreamAnalyser:
    """Push uint8 frames (112, 112) one at a time; call ``finish`` at the end of the stream.

    Every beat is handed out once: in the FrameResult of the frame that completed it, or by ``finish``.
    """

    def __init__(self, runner: Runner, fps: float, config: BeatConfig = BeatConfig(),
                 temporal_window: int = 1, declutter: float = 0.0) -> None:
        self.runner = runner
        self._declutter = StreamDeclutter(fps, declutter) if declutter > 0 else None
        self.tracker = BeatTracker(fps, config)
        self.temporal_window = check_window(temporal_window)
        # Window 1 keeps the runner's own segment (a TFLite mask model's table lookup: the hot path).
        self._window = TemporalWindow(temporal_window) if temporal_window > 1 else None
        size = int(math.ceil(fps * 60.0 / SLOWEST_BPM))
        self._curve_frames = np.full(size, -1, dtype=np.int64)
        self._curve = np.full(size, np.nan)
        self._count = 0  # frames analysed so far

    @property
    def lag(self) -> int:
        """Frames between pushing a frame and getting its result (with ``declutter``, once the clutter floor's
        first seconds have been released)."""
        return self.temporal_window // 2

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

    def push(self, frame: np.ndarray) -> list[FrameResult]:
        """Add the next frame; returns the results of the frames it completes, oldest first: this frame's with
        a window of 1, else none while the window fills and then the frame ``lag`` frames back (with
        ``declutter``, none while the clutter floor's first seconds are held, then all of them)."""
        if self._declutter is None:
            return self._step(frame)
        return [result for ready in self._declutter.push(frame) for result in self._step(ready)]

    def flush(self) -> list[FrameResult]:
        """End of the stream: the results of the frames still held (push no more)."""
        held = [] if self._declutter is None else self._declutter.finish()
        results = [result for ready in held for result in self._step(ready)]
        return results + ([] if self._window is None else self._analyse_outputs(self._window.finish()))

    def _step(self, frame: np.ndarray) -> list[FrameResult]:
        frames = np.asarray(frame)[None]
        if self._window is None:
            return [self._analyse(self.runner.segment(frames)[0])]
        return self._analyse_outputs(self._window.push(self.runner.predict(frames)[0]))

    def finish(self) -> tuple[Beat, ...]:
        """End of stream: the beats not yet handed out (those of frames ``flush`` had not given, then an ES at
        the very end); ``ef`` and ``flags`` are final."""
        beats = [beat for result in self.flush() for beat in result.beats]
        step = self.tracker.finish()
        self._record(step.smoothed)
        return (*beats, *step.beats)

    def recent_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(frame indices, smoothed volumes) of the latest smoothed frames, oldest first."""
        keep = self._curve_frames >= 0
        order = np.argsort(self._curve_frames[keep])
        return self._curve_frames[keep][order], self._curve[keep][order]

    def _analyse_outputs(self, outputs: Iterable[np.ndarray]) -> list[FrameResult]:
        return [self._analyse(self.runner.decode(output)) for output in outputs]

    def _analyse(self, segmentation: Segmentation) -> FrameResult:
        frame_measure = measure(segmentation, self.runner.kind)
        step = self.tracker.push(frame_volume(frame_measure))
        self._record(step.smoothed)
        index, self._count = self._count, self._count + 1
        return FrameResult(index, segmentation, frame_measure, tuple(step.beats), self.tracker.ef)

    def _record(self, samples: list[Sample]) -> None:
        for sample in samples:
            slot = sample.frame % len(self._curve)
            self._curve_frames[slot], self._curve[slot] = sample.frame, sample.smoothed
