"""From a per-frame LV volume curve to beats and ejection fraction, one frame at a time, cycle by cycle.

BeatTracker is the whole algorithm. Its state is bounded (a smoothing window, a ring buffer of the last few
seconds, the EFs of the last few beats), so a stream and a video (analyse_curve) run exactly the same code.

1. Gaps: failed frames (NaN volume) are bridged by linear interpolation when the gap lasts at most
   max_gap_s; a longer gap ends the current run of frames and the analysis restarts after it, so no
   beat spans it. Failed frames before the first or after the last good frame are not extrapolated.
2. Smoothing: Savitzky-Golay per run, as scipy.signal.savgol_filter(mode='interp') (lvseg.analysis.smoothing).
3. The cycle (lvseg.analysis.cycle): a ring buffer of the run's last window_s seconds gives the curve's
   stroke scale (P95 - P5). A run's first settle_s seconds (one cycle at the slowest rate) are held until
   the buffer spans them, so the first beat too is judged against a whole cycle.
4. One ED and one ES per cycle (lvseg.analysis.turning): hysteresis whose swing is major_fraction of the
   stroke scale, so a notch, a wobble in diastasis or an atrial kick is never a turning point. A beat is
   an ED and the next ES; its EF is (EDV - ESV) / EDV * 100, as FileList EF is from the traced frames, with
   each volume averaged over the frames next to it that the curve's noise cannot tell from it
   (level_fraction, level_noise). Impossible timing is rejected, and flagged 'erratic' when it recurs
   (erratic_rejects): a systole shorter than min_systole_s or longer than max_systole_s (once its ED, if a
   premature beat's higher top held it, is moved to the highest frame that close to its ES); two EDs closer
   than min_period_s or than min_cycle_fraction of the run's typical ED-ED interval (the smaller stroke
   goes). A systole the clip starts or ends inside (its extremum within edge_s of the run's edge, short of
   the window's ED / ES level, and at the end less than a typical systole after its ED: lvseg.analysis.edges)
   is not a beat (no flag).
5. Premature beats and notches (lvseg.analysis.premature): a beat is held until the next one is found (a
   device shows it about a cycle late). A compensatory pause (an ED-ED interval of pause_fraction of the
   typical one, or end_fraction of it from a run's last ED to its end with no ED since; a run's first is
   judged against its second, a run's only one against systole_cycle systoles), or the stretch before a run's
   first ED (head_fraction of a cycle), is searched for an ectopic beat, kept as a poor one; a small stroke
   between EDs one cycle apart is a notch, not a beat.
6. EF: the median over the good beats (lvseg.analysis.quality: not ectopic, no small stroke, not at the
   clip's edge, no bridged gap inside), or over all beats when none is good; quality flags (``flags``).
7. A clip with no whole systole (it starts inside one systole and ends inside the next, as many EchoNet
   clips of under two beats do): EF from the largest confirmed ED and the smallest confirmed ES of any beats,
   flagged 'partial_beats' (``extremes_ef``), as FileList EF is made when the experts' ES precedes their ED.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import numpy as np

from lvseg.analysis.beat_config import (ALL_FAILED, ERRATIC, FAILED_FRAMES, FLAT, LONG_GAP, NO_BEAT, NO_FRAMES,
                                        PARTIAL_BEATS, SINGLE_BEAT, BeatConfig, Tally, edge_frames, quality_flags)
from lvseg.analysis.cycle import CycleWindow, Fall
from lvseg.analysis.edges import cut_short
from lvseg.analysis.premature import HiddenBeats
from lvseg.analysis.quality import ECTOPIC, EDGE, GAP, SMALL_STROKE, Beat, EFSpread, median_ef
from lvseg.analysis.smoothing import RunSmoother, Sample, window_frames
from lvseg.analysis.turning import Hysteresis, Systole

__all__ = ["Beat", "BeatConfig", "BeatTracker", "Step", "median_ef", "ALL_FAILED", "ERRATIC", "FAILED_FRAMES", "FLAT",
           "LONG_GAP", "NO_BEAT", "NO_FRAMES", "PARTIAL_BEATS", "SINGLE_BEAT"]

class Step(NamedTuple):
    """What one pushed frame released: smoothed samples and finished beats."""
    smoothed: list[Sample]
    beats: list[Beat]


class BeatTracker:
    """Push one volume per frame (NaN, or <= 0, for a failed frame); beats come out once they are certain."""

    def __init__(self, fps: float, config: BeatConfig = BeatConfig()) -> None:
        if not (np.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self.fps, self.config = float(fps), config
        c = config
        window = window_frames(c.smooth_s, fps)
        self._smoother = RunSmoother(window, min(c.polyorder, window - 2))
        self._cycle = CycleWindow(math.ceil(c.window_s * fps))
        self._hidden = HiddenBeats(c, self.fps, self._cycle)
        self._turns = Hysteresis(edge_frames(fps, c))
        self._max_gap = max(1, int(round(c.max_gap_s * fps)))
        self._settle = max(1, int(round(c.settle_s * fps)))
        self._held: deque[Sample] = deque(maxlen=self._settle)  # a run's first samples, until it settles
        self._recent: deque[Beat] = deque(maxlen=c.ef_beats)
        self.frames = self.failed = self.long_gaps = self.rejected = self.partial = self.beats = 0
        self._good = EFSpread()  # how far the good beats' EFs disagree
        self._jitter, self._jitter_samples = 0.0, 0  # sum of |volume - smoothed| / volume, and its count
        self._open, self._settled, self._gap = False, False, 0
        self._last = (0, 0.0)  # the run's latest good frame and its volume (where a gap's bridge starts)
        self._pending: Beat | None = None  # the latest beat, held until the next one (or the run's end)
        self._unchecked: Beat | None = None  # a run's first beat while its interval awaits a reference
        self._intervals: deque[float] = deque(maxlen=3)  # the run's latest ED-ED intervals, frames
        self._systoles: deque[int] = deque(maxlen=3)  # the run's latest ED-ES durations, frames
        self._last_sample: int | None = None  # the run's latest smoothed frame
        self._run_first = 0  # the run's first frame
        self._prior_ed: int | None = None  # the ED of the run's latest beat released after another (not ectopic)
        self._ef: float | None = None

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
        """EF from the largest confirmed ED and smallest confirmed ES of any beats (step 7); None without both."""
        ed, es = self._turns.best_ed, self._turns.best_es
        if ed is None or es is None or not es.volume < ed.volume:
            return None
        return Beat(ed.frame, es.frame, ed.volume, es.volume).ef

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
            self._start(frame)
        elif self._gap:
            f0, v0 = self._last
            for k in range(1, self._gap + 1):
                self._feed(f0 + k, v0 + (volume - v0) * k / (self._gap + 1), True, step)
        self._gap = 0
        self._last = (frame, volume)
        self._feed(frame, volume, False, step)
        return step

    def finish(self) -> Step:
        """End of the video or stream: release the smoothing tail, the held samples and the pending beat."""
        step = Step([], [])
        if self._open:
            self._close(step)
        return step

    def _start(self, frame: int) -> None:
        self._run_first, self._prior_ed = frame, None
        self._open, self._settled, self._gap, self._unchecked, self._last_sample = True, False, 0, None, None
        self._intervals.clear()
        self._systoles.clear()
        self._smoother.reset()
        self._cycle.reset()
        self._held.clear()

    def _feed(self, frame: int, value: float, bridged: bool, step: Step) -> None:
        self._cycle.mark(frame, bridged)
        for sample in self._smoother.push(frame, value):
            self._take(sample, step)

    def _take(self, sample: Sample, step: Step) -> None:
        step.smoothed.append(sample)
        self._cycle.add(sample)
        self._last_sample = sample.frame
        self._jitter += abs(sample.volume - sample.smoothed) / sample.volume
        self._jitter_samples += 1
        if self._settled:
            self._turn(sample, step.beats)
            return
        self._held.append(sample)
        if len(self._held) == self._settle:
            self._settle_run(step.beats)

    def _settle_run(self, beats: list[Beat]) -> None:
        self._settled = True
        while self._held:
            self._turn(self._held.popleft(), beats)

    def _close(self, step: Step) -> None:
        for sample in self._smoother.finish():
            self._take(sample, step)
        self._settle_run(step.beats)
        systole = self._turns.finish()
        if systole is not None:
            self._systole(systole, step.beats)
        pending, reference = self._pending, self._reference()
        if self._unchecked is not None and pending is not None:  # one interval: no other one to judge it by
            guess = self._cycle_guess()
            if guess is not None and self._ectopic(self._hidden.in_pause(self._unchecked, pending.ed_frame, guess),
                                                   step.beats):
                reference = (pending.ed_frame - self._unchecked.ed_frame) / 2
        reference = self._cycle_guess() if reference is None else reference
        if pending is not None and not self._intervals and reference is not None:  # the run's only beat
            self._ectopic(self._hidden.before_first(self._run_first, pending, reference), step.beats)
        self._release(step.beats)
        if pending is not None and reference is not None and self._last_sample is not None:
            # at_end: no ED was confirmed after the last ES, so the clip may have cut a compensatory pause short
            self._ectopic(self._hidden.in_pause(pending, self._last_sample, reference, systole is None), step.beats)
        self._open = False

    def _turn(self, sample: Sample, beats: list[Beat]) -> None:
        systole = self._turns.push(sample, self._swing(sample))
        if systole is not None:
            self._systole(systole, beats)

    def _swing(self, sample: Sample) -> float:  # the fall (rise) that makes a turning point, at this sample
        return max(self.config.major_fraction * self._cycle.scale(), self.config.min_swing * sample.smoothed)

    def _reference(self) -> float | None:
        """The run's typical ED-to-ED interval: the median of its last few, frames (None before one)."""
        return float(np.median(self._intervals)) if self._intervals else None

    def _cycle_guess(self) -> float | None:
        """A run's cycle, frames, from its systoles alone (systole_cycle ED-ES durations); None before a beat."""
        return self.config.systole_cycle * float(np.median(self._systoles)) if self._systoles else None

    def _spacing(self) -> float:
        """The least ED-to-ED interval of two beats, in frames, given the run's typical one."""
        return self._hidden.spacing(self._reference() or 0.0)

    def _beat(self, ed: Sample, es: Sample, reasons: tuple[str, ...] = ()) -> Beat:
        if ed.smoothed - es.smoothed < self.config.small_fraction * self._cycle.scale():
            reasons += (SMALL_STROKE,)
        if self._cycle.bridged_between(ed.frame, es.frame):
            reasons += (GAP,)
        c = self.config
        half, tolerance = int(c.level_fraction * (es.frame - ed.frame)), c.level_noise * self._cycle.noise()
        return Beat(ed.frame, es.frame, self._cycle.level(ed, half, tolerance), self._cycle.level(es, half, tolerance),
                    reasons)

    def _systole(self, systole: Systole, beats: list[Beat]) -> None:
        if systole.es.frame - systole.ed.frame > self.config.max_systole_s * self.fps:
            systole = self._hidden.later_ed(systole, self._swing(systole.es))
        if cut_short(systole, self._cycle.levels(), self._cycle.scale(), self._last_sample, self._systoles,
                     self.config):
            self.partial += 1
            return
        c, ed, es = self.config, systole.ed, systole.es
        if not (c.min_systole_s * self.fps <= es.frame - ed.frame <= c.max_systole_s * self.fps) or \
                es.volume >= ed.volume:
            self.rejected += 1
            return
        beat = self._beat(ed, es, (EDGE,) if systole.head or systole.tail else ())
        self._systoles.append(es.frame - ed.frame)
        pending = self._pending
        if pending is not None and ed.frame < pending.ed_frame + self._spacing():
            self.rejected += 1  # two EDs too close for two beats: keep the larger stroke
            if beat.stroke > pending.stroke:
                self._pending = beat
            return
        if pending is not None and self._hidden.is_notch(pending, self._prior_ed, ed.frame, self._intervals):
            self._intervals[-1] = ed.frame - (self._prior_ed or 0)  # a notch split a cycle in two: no beat
            self._pending = beat
            return
        if pending is not None:
            interval = ed.frame - pending.ed_frame
            if self._unchecked is not None:  # a run's first interval, judged against the one after it
                self._ectopic(self._hidden.in_pause(self._unchecked, pending.ed_frame, interval), beats)
                self._unchecked = None
            reference = self._reference()
            if reference is None:  # the run's first beat: was there a premature one before it?
                self._ectopic(self._hidden.before_first(self._run_first, pending, interval), beats)
            self._prior_ed = pending.ed_frame
            self._release(beats)
            if reference is None:
                self._unchecked = pending
                self._intervals.append(interval)
            else:
                premature = self._ectopic(self._hidden.in_pause(pending, ed.frame, reference), beats)
                self._intervals.append(interval / 2 if premature else interval)
        self._pending = beat

    def _ectopic(self, fall: Fall | None, beats: list[Beat]) -> bool:
        """Release a premature beat that lvseg.analysis.premature found (None: none was)."""
        if fall is not None:
            self._emit(self._beat(fall.top, fall.bottom, (ECTOPIC,)), beats)
        return fall is not None

    def _release(self, beats: list[Beat]) -> None:
        beat, self._pending = self._pending, None
        if beat is not None:
            self._emit(beat, beats)

    def _emit(self, beat: Beat, beats: list[Beat]) -> None:  # a finished beat: count it, update the running EF
        self.beats += 1
        self._recent.append(beat)
        self._ef = median_ef(self._recent)
        if beat.good:
            self._good.add(beat.ef)
        beats.append(beat)

    def flags(self) -> tuple[str, ...]:
        """The video's quality flags (lvseg.analysis.beat_config.quality_flags)."""
        jitter = 100.0 * self._jitter / max(1, self._jitter_samples)
        return quality_flags(self.config, Tally(self.frames, self.failed, self.long_gaps, self._turns.swings,
                                                self.beats, self.extremes_ef is not None, self.rejected,
                                                self._good.sd, jitter))
