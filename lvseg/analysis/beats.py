"""From a per-frame LV volume curve to beats and ejection fraction, one frame at a time.

BeatTracker is the whole algorithm. Besides a smoothing window it keeps O(1) state, so a stream and a
whole video run exactly the same code: ``analyse_curve`` feeds a video's curve through it.

1. Gaps: failed frames (NaN volume) are bridged by linear interpolation when the gap lasts at most
   max_gap_s; a longer gap ends the current run of frames and the analysis restarts after it, so no
   beat spans it. Failed frames before the first or after the last good frame are not extrapolated.
2. Smoothing: Savitzky-Golay per run (scipy.signal.savgol_coeffs), with the 'interp' edge rule of
   scipy.signal.savgol_filter (the polynomial of the first / last window gives the edge values).
3. Turning points, by hysteresis: a running maximum is an end-diastole (ED) once the curve has fallen
   min_swing of it below; a running minimum is an end-systole (ES) once the curve has risen above it by
   min_swing of the preceding ED. Unlike scipy.signal.find_peaks (prominence over the whole signal,
   edges ignored) it decides from the past alone, so a stream needs no look-back, and it sees the edges.
4. A beat is an ED followed by the next ES (one systole). Its EF is (EDV - ESV) / EDV * 100 with the
   (gap-bridged) volumes at the ED and ES frames, as FileList EF is from the traced frames; the smoothed
   curve only locates the frames. Rejected: a systole shorter than min_systole_s or longer than
   max_systole_s, an ED less than min_period_s after the previous beat's ED (counted: 'erratic');
   an extremum at a run's first or last frame unless the curve is flat there (the clip starts or ends
   inside the systole: counted as partial, no flag). An ES at the end of a run that the curve has not
   yet risen from by min_swing is kept when it is an interior minimum of the smoothed curve.
5. Video EF: median of the beats' EFs; a quality flag for each problem (see ``BeatTracker.flags``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.signal import savgol_coeffs

NO_FRAMES, ALL_FAILED, FAILED_FRAMES, LONG_GAP = "no_frames", "all_failed", "failed_frames", "long_gap"
FLAT, NO_BEAT, SINGLE_BEAT, ERRATIC = "flat", "no_beat", "single_beat", "erratic"


@dataclass(frozen=True)
class BeatConfig:
    """Thresholds, in seconds where they are times (frame counts follow from the fps)."""

    # Smoothing window: a third of a typical 0.3 s systole and no longer than the shortest one
    # (min_systole_s), so it removes frame-to-frame jitter without shifting the ED peak or ES trough.
    smooth_s: float = 0.1
    # Cubic: in the interior the same filter as quadratic (for an odd window they coincide), which follows
    # the rounded ED peak and ES trough; at the edges the cubic fit follows a systole's start far better.
    polyorder: int = 3
    # A swing under 5 % of EDV is not a beat: below the lowest EF in EchoNet (6.9 %), above mask jitter.
    min_swing: float = 0.05
    # Bridged gaps: 0.1 s is at most a third of the shortest systole, too short to hide an ED or ES.
    max_gap_s: float = 0.1
    # ED -> ES lasts about a third of the cycle: >= 0.1 s even at 180 bpm (cycle 0.33 s), <= 0.75 s
    # (half the 1.5 s cycle of 40 bpm, the slowest rate considered).
    min_systole_s: float = 0.1
    max_systole_s: float = 0.75
    # EDs closer than 0.25 s (240 bpm) are not two beats: beyond the fastest 180 bpm cycle (0.33 s) with
    # room for frame rounding and beat-to-beat variation.
    min_period_s: float = 0.25
    # A run's first (last) frame counts as ED (ES) when the smoothed curve's first (last) step is at
    # most 0.4 of the steepest step of that systole. On a finely sampled cosine ejection of duration T
    # that share is sin(pi * tau / T) for an edge tau after ED (before ES): tau <= 0.13 T, which misses
    # under 4 % of the swing (EF biased by under ~1 point at EF 60), while a clip starting mid-systole
    # gives ~1. Where a systole spans under ~4 frames (18 fps at >= 120 bpm) an edge beat is lost.
    edge_ratio: float = 0.4
    erratic_ef_range: float = 15.0    # beats of one steady clip agree within a few EF points
    max_failed_fraction: float = 0.1  # more failed frames than this: the video's masks are not trusted
    ef_beats: int = 16                # a stream's running EF: median of this many most recent beats


@dataclass(frozen=True)
class Beat:
    """One systole: ED and ES frame indices and the volumes there (pixel units of lvseg.analysis.volumes)."""

    ed_frame: int
    es_frame: int
    edv: float
    esv: float

    @property
    def ef(self) -> float:
        return (self.edv - self.esv) / self.edv * 100.0


class Step(NamedTuple):
    """What one pushed frame released: (frame, smoothed, gap-bridged volume) samples and finished beats."""

    smoothed: list[tuple[int, float, float]]
    beats: list[Beat]


def _odd(n: float) -> int:
    n = int(round(n))
    return n if n % 2 else n + 1


class _Smoother:
    """Savitzky-Golay over one run of frames, each output released as soon as its window is complete."""

    def __init__(self, window: int, polyorder: int) -> None:
        self.window, self.half = window, window // 2
        # row k: weights giving the window's polynomial at position k (the middle row is the usual filter)
        self.rows = np.stack([savgol_coeffs(window, polyorder, pos=k, use="dot") for k in range(window)])
        self.frames: deque[int] = deque(maxlen=window)
        self.values: deque[float] = deque(maxlen=window)
        self.count = 0

    def reset(self) -> None:
        self.frames.clear()
        self.values.clear()
        self.count = 0

    def _at(self, positions: range) -> list[tuple[int, float, float]]:
        x = np.fromiter(self.values, np.float64, len(self.values))
        return [(self.frames[k], float(self.rows[k] @ x), self.values[k]) for k in positions]

    def push(self, frame: int, value: float) -> list[tuple[int, float, float]]:
        self.frames.append(frame)
        self.values.append(value)
        self.count += 1
        if self.count < self.window:
            return []
        return self._at(range(self.half + 1) if self.count == self.window else range(self.half, self.half + 1))

    def finish(self) -> list[tuple[int, float, float]]:
        if self.count < self.window:  # a run shorter than the window is left unsmoothed
            return [(f, v, v) for f, v in zip(self.frames, self.values)]
        return self._at(range(self.half + 1, self.window))


class BeatTracker:
    """Push one volume per frame (NaN, or <= 0, for a failed frame); beats come out as soon as they are certain."""

    def __init__(self, fps: float, config: BeatConfig = BeatConfig()) -> None:
        if not (np.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.fps, self.config = float(fps), config
        window = max(3, _odd(config.smooth_s * fps))
        self._smoother = _Smoother(window, min(config.polyorder, window - 1))
        self._max_gap = max(1, int(round(config.max_gap_s * fps)))
        self._recent: deque[float] = deque(maxlen=config.ef_beats)
        self.frames = self.failed = self.long_gaps = self.swings = self.rejected = self.partial = 0
        self.beats, self._ef_min, self._ef_max = 0, np.inf, -np.inf
        self._open, self._gap, self._last = False, 0, (0, 0.0)
        self._last_ed = -np.inf

    @property
    def window(self) -> int:
        """Smoothing window in frames; the smoothed curve lags the input by half of it."""
        return self._smoother.window

    @property
    def ef(self) -> float | None:
        """Running EF: median of the most recent ``ef_beats`` beats, None before the first."""
        return float(np.median(self._recent)) if self._recent else None

    def push(self, volume: float) -> Step:
        step = Step([], [])
        frame = self.frames
        self.frames += 1
        if not (np.isfinite(volume) and volume > 0):  # a failed frame
            self.failed += 1
            if self._open:
                self._gap += 1
                if self._gap > self._max_gap:
                    self.long_gaps += 1
                    self._close(step)
            return step
        volume = float(volume)
        if not self._open:
            self._start()
        elif self._gap:
            f0, v0 = self._last
            for k in range(1, self._gap + 1):
                self._feed(f0 + k, v0 + (volume - v0) * k / (self._gap + 1), step)
        self._gap = 0
        self._last = (frame, volume)
        self._feed(frame, volume, step)
        return step

    def finish(self) -> Step:
        """End of the video or stream: release the smoothing tail and a pending ES."""
        step = Step([], [])
        if self._open:
            self._close(step)
        return step

    def _start(self) -> None:
        self._open, self._gap, self._n = True, 0, 0
        self._smoother.reset()
        self._mode = 0  # 0: nothing found yet, -1: seeking an ES after an ED, +1: seeking an ED
        self._peak = None

    def _feed(self, frame: int, value: float, step: Step) -> None:
        for sample in self._smoother.push(frame, value):
            step.smoothed.append(sample)
            self._turn(sample, step.beats)

    def _close(self, step: Step) -> None:
        for sample in self._smoother.finish():
            step.smoothed.append(sample)
            self._turn(sample, step.beats)
        if self._mode == -1 and self._n:
            self._beat(self._peak, self._lo, step.beats)
        self._open = False

    def _turn(self, p: tuple[int, float, float], beats: list[Beat]) -> None:
        """The hysteresis detector on one smoothed sample p = (frame, smoothed, volume)."""
        s = p[1]
        if self._n == 0:
            self._first, self._hi, self._lo = p[0], p, p
            self._head_step = self._tail_step = self._drop = self._steepest = 0.0
        else:
            self._tail_step = self._prev - s  # > 0 while the curve falls
            if self._n == 1:
                self._head_step = self._tail_step
            self._drop = max(self._drop, self._tail_step)
        self._prev, self._last_frame = s, p[0]
        self._n += 1
        mode, swing = self._mode, self.config.min_swing
        if mode >= 0 and s > self._hi[1]:
            self._hi, self._drop = p, 0.0  # steepest fall since the ED candidate
        if mode <= 0 and s < self._lo[1]:
            self._lo, self._steepest = p, self._drop  # steepest fall between the ED and this ES candidate
        if mode >= 0 and s <= self._hi[1] * (1.0 - swing):
            self.swings += 1
            # p is the lowest sample since the ED: all earlier ones were above the threshold
            self._peak, self._mode, self._lo, self._steepest = self._hi, -1, p, self._drop
        elif mode <= 0 and s >= self._lo[1] + swing * (self._peak[1] if mode == -1 else self._hi[1]):
            self.swings += 1
            if mode == -1:
                self._beat(self._peak, self._lo, beats)
            self._mode, self._hi, self._drop = 1, p, 0.0  # p is the highest sample since the ES

    def _beat(self, ed: tuple[int, float, float], es: tuple[int, float, float], beats: list[Beat]) -> None:
        edge = self.config.edge_ratio * self._steepest
        if (ed[0] == self._first and self._head_step > edge) or (es[0] == self._last_frame and self._tail_step > edge):
            self.partial += 1
            return
        duration = es[0] - ed[0]
        fps, c = self.fps, self.config
        if not (c.min_systole_s * fps <= duration <= c.max_systole_s * fps) or \
                ed[0] - self._last_ed < c.min_period_s * fps or es[2] >= ed[2]:
            self.rejected += 1
            return
        beat = Beat(ed[0], es[0], ed[2], es[2])
        self._last_ed = ed[0]
        self.beats += 1
        self._recent.append(beat.ef)
        self._ef_min, self._ef_max = min(self._ef_min, beat.ef), max(self._ef_max, beat.ef)
        beats.append(beat)

    def flags(self) -> tuple[str, ...]:
        """Quality flags so far: no_frames, all_failed, failed_frames (> max_failed_fraction), long_gap (not bridged),
        flat (no swing of min_swing at all), no_beat (EF None), single_beat, erratic (a swing rejected for
        its timing, or beat EFs spread over more than erratic_ef_range points)."""
        c = self.config
        good = self.frames - self.failed
        flags = []
        if self.frames == 0:
            flags.append(NO_FRAMES)
        elif good == 0:
            flags.append(ALL_FAILED)
        elif self.failed > c.max_failed_fraction * self.frames:
            flags.append(FAILED_FRAMES)
        if self.long_gaps:
            flags.append(LONG_GAP)
        if good and not self.swings:
            flags.append(FLAT)
        if self.beats <= 1:
            flags.append(NO_BEAT if self.beats == 0 else SINGLE_BEAT)
        if self.rejected or (self.beats > 1 and self._ef_max - self._ef_min > c.erratic_ef_range):
            flags.append(ERRATIC)
        return tuple(flags)


@dataclass(frozen=True)
class CurveAnalysis:
    """A whole video's curve: per-frame bridged and smoothed volumes (NaN where not analysed), beats, EF."""

    fps: float
    filled: np.ndarray
    smoothed: np.ndarray
    beats: tuple[Beat, ...]
    ef: float | None  # median of the beats' EFs; None without a beat
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
    ef = float(np.median([b.ef for b in beats])) if beats else None
    return CurveAnalysis(float(fps), filled, smoothed, tuple(beats), ef, tracker.flags())
