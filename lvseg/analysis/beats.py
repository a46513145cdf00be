"""From a per-frame LV volume curve to beats and ejection fraction, one frame at a time.

BeatTracker is the whole algorithm. Besides a smoothing window it keeps O(1) state, so a stream and a
whole video run exactly the same code (lvseg.analysis.video.analyse_curve feeds a video through it).

1. Gaps: failed frames (NaN volume) are bridged by linear interpolation when the gap lasts at most
   max_gap_s; a longer gap ends the current run of frames and the analysis restarts after it, so no
   beat spans it. Failed frames before the first or after the last good frame are not extrapolated.
2. Smoothing: Savitzky-Golay per run, as scipy.signal.savgol_filter(mode='interp') (lvseg.analysis.smoothing).
3. Turning points, by hysteresis: a running maximum is an end-diastole (ED) once the curve has fallen
   below it by a swing, a running minimum an end-systole (ES) once the curve has risen above it by one;
   a swing is min_swing of the ED volume and, after the first beat, at least follow_swing of the last
   beat's. Unlike scipy.signal.find_peaks (prominence over the whole signal, edges ignored) it decides
   from the past alone, so a stream needs no look-back, and it sees the clip's edges.
4. A beat is an ED followed by the next ES (one systole). Its EF is (EDV - ESV) / EDV * 100 with the
   (gap-bridged) volumes at the ED and ES frames, as FileList EF is from the traced frames; the smoothed
   curve only locates the frames. Rejected (and flagged 'erratic'): a systole shorter than
   min_systole_s or longer than max_systole_s; of two EDs closer than min_period_s, the beat with the
   smaller stroke volume (so a beat is released once no closer ED can come). Not a beat (no flag): an
   extremum at a run's first or last frame where the curve is not flat (the clip starts or ends inside
   the systole). An ES at the end of a run is kept when it is an interior minimum of the smoothed curve.
5. EF: median over the beats whose stroke volume is at least major_fraction of the largest one;
   quality flags for each problem (``BeatTracker.flags``).
6. A clip with no whole systole (a short clip that starts inside one systole and ends inside the next, as
   many EchoNet clips of under two beats do): EF from the largest confirmed ED and the smallest confirmed
   ES, whichever beats they belong to, flagged 'partial_beats' (``extremes_ef``). That is how FileList EF
   itself is made when the experts' ES frame precedes their ED frame.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lvseg.analysis.smoothing import RunSmoother, window_frames

NO_FRAMES, ALL_FAILED, FAILED_FRAMES, LONG_GAP = "no_frames", "all_failed", "failed_frames", "long_gap"
FLAT, NO_BEAT, SINGLE_BEAT, ERRATIC = "flat", "no_beat", "single_beat", "erratic"
PARTIAL_BEATS = "partial_beats"


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
    # After a beat, a swing must also reach 30 % of that beat's: the strokes of one clip vary far less,
    # while a predicted curve can wobble by ~5 % of EDV in diastasis, enough to pass min_swing (seen
    # with the demo int8 landmark model on synthetic videos: such wobbles became beats of EF 4-9 %).
    follow_swing: float = 0.3
    # Bridged gaps: 0.1 s, a third of a typical 0.3 s systole: bridging it across an ED or ES only cuts
    # the peak's curvature (about 1 EF point for 4 frames at 50 fps, see the tests); longer gaps split.
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
    erratic_ef_range: float = 15.0    # wider than a steady rhythm's beat-to-beat spread: bad masks or arrhythmia
    max_failed_fraction: float = 0.1  # more failed frames than this: the video's masks are not trusted
    ef_beats: int = 16                # a stream's running EF: over this many most recent beats
    # EF over the beats with at least half the largest stroke volume: a beat that slipped through as a
    # small wobble before the first real one must not pull the median of a 2-3 beat clip.
    major_fraction: float = 0.5


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

    @property
    def stroke(self) -> float:
        return self.edv - self.esv


def median_ef(beats, major_fraction: float = BeatConfig.major_fraction) -> float | None:
    """Median EF of the beats whose stroke volume is at least ``major_fraction`` of the largest; None if none."""
    beats = list(beats)
    if not beats:
        return None
    largest = max(b.stroke for b in beats)
    return float(np.median([b.ef for b in beats if b.stroke >= major_fraction * largest]))


class Step(NamedTuple):
    """What one pushed frame released: (frame, smoothed, gap-bridged volume) samples and finished beats."""

    smoothed: list[tuple[int, float, float]]
    beats: list[Beat]


class BeatTracker:
    """Push one volume per frame (NaN, or <= 0, for a failed frame); beats come out once they are certain."""

    def __init__(self, fps: float, config: BeatConfig = BeatConfig()) -> None:
        if not (np.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.fps, self.config = float(fps), config
        window = window_frames(config.smooth_s, fps)
        self._smoother = RunSmoother(window, min(config.polyorder, window - 1))
        self._max_gap = max(1, int(round(config.max_gap_s * fps)))
        self._min_period = config.min_period_s * fps
        self._recent: deque[Beat] = deque(maxlen=config.ef_beats)
        self.frames = self.failed = self.long_gaps = self.swings = self.rejected = self.partial = self.beats = 0
        self._ef_min, self._ef_max = np.inf, -np.inf
        self._open, self._gap, self._last = False, 0, (0, 0.0)
        self._pending: Beat | None = None  # the latest beat, held while a closer ED may still come
        self._ef: float | None = None
        self._last_swing = 0.0  # smoothed ED - ES of the latest beat
        self._best_ed: tuple | None = None  # the largest confirmed ED (frame, smoothed, volume), any beat
        self._best_es: tuple | None = None  # the smallest confirmed ES, any beat

    @property
    def window(self) -> int:
        """Smoothing window in frames; the smoothed curve lags the input by half of it."""
        return self._smoother.window

    @property
    def ef(self) -> float | None:
        """Running EF: median_ef of the latest ``ef_beats`` released beats; None before the first."""
        return self._ef

    @property
    def extremes_ef(self) -> float | None:
        """EF from the largest confirmed ED and smallest confirmed ES of any beats (step 6); None without both."""
        if self._best_ed is None or self._best_es is None or not self._best_es[2] < self._best_ed[2]:
            return None
        return Beat(self._best_ed[0], self._best_es[0], self._best_ed[2], self._best_es[2]).ef

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
        """End of the video or stream: release the smoothing tail, a pending ES and the held beat."""
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
        self._release(step.beats)
        self._open = False

    def _swing(self, volume: float) -> float:
        return max(self.config.min_swing * volume, self.config.follow_swing * self._last_swing)

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
        mode = self._mode
        if mode >= 0 and s > self._hi[1]:
            self._hi, self._drop = p, 0.0  # steepest fall since the ED candidate
        if mode <= 0 and s < self._lo[1]:
            self._lo, self._steepest = p, self._drop  # steepest fall between the ED and this ES candidate
        if mode >= 0 and s <= self._hi[1] - self._swing(self._hi[1]):
            self.swings += 1
            # p is the lowest sample since the ED: all earlier ones were above the threshold
            self._peak, self._mode, self._lo, self._steepest = self._hi, -1, p, self._drop
            if self._best_ed is None or self._peak[1] > self._best_ed[1]:
                self._best_ed = self._peak
        elif mode <= 0 and s >= self._lo[1] + self._swing(self._peak[1] if mode == -1 else self._hi[1]):
            self.swings += 1
            if self._best_es is None or self._lo[1] < self._best_es[1]:
                self._best_es = self._lo
            if mode == -1:
                self._beat(self._peak, self._lo, beats)
            self._mode, self._hi, self._drop = 1, p, 0.0  # p is the highest sample since the ES
        ed = self._hi if self._mode == 1 else self._peak if self._mode == -1 else None
        if self._pending is not None and ed is not None and ed[0] >= self._pending_until():
            self._release(beats)  # every later ED is at least min_period after the held beat's

    def _pending_until(self) -> float:
        return -np.inf if self._pending is None else self._pending.ed_frame + self._min_period

    def _beat(self, ed: tuple[int, float, float], es: tuple[int, float, float], beats: list[Beat]) -> None:
        edge = self.config.edge_ratio * self._steepest
        if (ed[0] == self._first and self._head_step > edge) or (es[0] == self._last_frame and self._tail_step > edge):
            self.partial += 1
            return
        c = self.config
        if not (c.min_systole_s * self.fps <= es[0] - ed[0] <= c.max_systole_s * self.fps) or es[2] >= ed[2]:
            self.rejected += 1
            return
        beat = Beat(ed[0], es[0], ed[2], es[2])
        if ed[0] < self._pending_until():  # two EDs too close for two beats: keep the larger stroke
            self.rejected += 1
            if beat.stroke <= self._pending.stroke:
                return
        else:
            self._release(beats)
        self._pending, self._last_swing = beat, ed[1] - es[1]

    def _release(self, beats: list[Beat]) -> None:
        beat, self._pending = self._pending, None
        if beat is not None:
            self.beats += 1
            self._recent.append(beat)
            self._ef = median_ef(self._recent, self.config.major_fraction)
            self._ef_min, self._ef_max = min(self._ef_min, beat.ef), max(self._ef_max, beat.ef)
            beats.append(beat)

    def flags(self) -> tuple[str, ...]:
        """Quality flags: no_frames, all_failed, failed_frames (over max_failed_fraction), long_gap (not bridged),
        flat (no swing at all), no_beat (EF None), partial_beats (no whole systole: EF from an ED and an ES of
        different beats), single_beat, erratic (a swing rejected for its timing, or beat EFs spread over more
        than erratic_ef_range points)."""
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
        if self.beats == 0:
            flags.append(PARTIAL_BEATS if self.extremes_ef is not None else NO_BEAT)
        elif self.beats == 1:
            flags.append(SINGLE_BEAT)
        if self.rejected or (self.beats > 1 and self._ef_max - self._ef_min > c.erratic_ef_range):
            flags.append(ERRATIC)
        return tuple(flags)
