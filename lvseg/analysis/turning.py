"""Turning points of one run's smoothed volume curve, by hysteresis: an ED, then an ES, then the next ED...

A running maximum is an end-diastole (ED) once the curve has fallen below it by a swing, a running
minimum an end-systole (ES) once the curve has risen above it by one. The swing is given with each sample
(lvseg.analysis.beats sets it from the curve's stroke scale, so a notch in diastasis, much smaller than
the stroke, never makes a turning point). Unlike scipy.signal.find_peaks (prominence over the whole
signal, edges ignored) it decides from the past alone and sees the run's edges: an extremum at or next to
the run's first (last) frame is a turning point too, and the Systole says so (the caller judges whether the clip
starts or ends inside that systole).
"""

from __future__ import annotations

from typing import NamedTuple

from lvseg.analysis.smoothing import Sample


class Systole(NamedTuple):
    """An ED and the ES after it; ``head``: the ED is within ``edge`` frames of the run's first frame (too close
    to it to show the rise before it); ``tail``: the ES is within ``edge`` frames of its last."""

    ed: Sample
    es: Sample
    head: bool
    tail: bool


class Hysteresis:
    """Push smoothed samples of one run with the swing that confirms a turn; get each Systole once its ES
    is confirmed. ``best_ed`` / ``best_es`` keep the largest confirmed ED and smallest confirmed ES of any run."""

    # Per run (None until its first sample): the running maximum and minimum, and the ED held while an ES is sought.
    hi: Sample | None
    lo: Sample | None
    peak: Sample | None

    def __init__(self, edge: int = 0) -> None:
        self.edge = int(edge)
        self.swings = 0
        self.best_ed: Sample | None = None
        self.best_es: Sample | None = None
        self.reset()

    def reset(self) -> None:
        """A new run."""
        self.n, self.mode = 0, 0  # mode 0: nothing found yet, -1: seeking an ES after an ED, +1: seeking an ED
        self.first = self.last = -1
        self.hi = self.lo = self.peak = None

    @property
    def ed_candidate(self) -> int | None:
        """The frame of the ED now held or sought (no later ED can come before it); None before any turn."""
        held = self.hi if self.mode == 1 else self.peak if self.mode == -1 else None
        return None if held is None else held.frame

    def push(self, p: Sample, swing: float) -> Systole | None:
        s = p.smoothed
        if self.hi is None or self.lo is None:  # the run's first sample
            self.first, self.hi, self.lo = p.frame, p, p
        self.last = p.frame
        self.n += 1
        mode, out = self.mode, None
        if mode >= 0 and s > self.hi.smoothed:
            self.hi = p
        if mode <= 0 and s < self.lo.smoothed:
            self.lo = p
        if mode >= 0 and s <= self.hi.smoothed - swing:
            self.swings += 1
            # p is the lowest sample since the ED: all earlier ones were above the threshold
            self.peak, self.mode, self.lo = self.hi, -1, p
            if self.best_ed is None or self.peak.smoothed > self.best_ed.smoothed:
                self.best_ed = self.peak
        elif mode <= 0 and s >= self.lo.smoothed + swing:
            self.swings += 1
            if self.best_es is None or self.lo.smoothed < self.best_es.smoothed:
                self.best_es = self.lo
            if mode == -1 and self.peak is not None:
                out = self._systole(self.peak, self.lo)
            self.mode, self.hi = 1, p  # p is the highest sample since the ES
        return out

    def finish(self) -> Systole | None:
        """End of the run: the ED held with the lowest sample since, if any (an ES at the very end). A clip
        that ends on the rise after its only ES keeps its running maximum as ``best_ed``: for a clip from
        ES to ED (no whole systole) the largest volume it shows."""
        out = None
        if self.mode == -1 and self.peak is not None and self.lo is not None:
            out = self._systole(self.peak, self.lo)
        if self.mode == 1 and self.best_ed is None:
            self.best_ed = self.hi
        self.reset()
        return out

    def _systole(self, ed: Sample, es: Sample) -> Systole:
        return Systole(ed, es, ed.frame - self.first <= self.edge, self.last - es.frame <= self.edge)
