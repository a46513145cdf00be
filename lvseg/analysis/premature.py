"""Beats the turning points do not show, and 'beats' they show that are none (lvseg.analysis.beats, step 5).

A premature (ectopic) beat ejects little and comes early, so hysteresis at half the stroke scale can miss it;
it shows in the compensatory pause after it. HiddenBeats searches the curve's cycle window for it:
  in_pause      inside an ED-to-ED interval of pause_fraction of the typical one, or between a run's last ED
                and its end when that is end_fraction of it with no ED since (the clip cut the pause short);
  before_first  before a run's first ED, when that comes head_fraction of a cycle after the run's start
                (the clip started with the premature beat: no beat before it to measure a pause from);
and says when a small-stroke 'beat' is a notch that split one cycle in two (``is_notch``), and where the ED of a
systole too long to be one really is (``later_ed``): the turning points' running maximum can hold a premature
beat's top that the masks drew higher than the next ED, so the ED it gives lies a whole pause before the ES.
A found fall needs a refill after it (a clip that ends inside a systole shows a fall with nothing after it);
before the first ED it also needs a rise before it (a clip that starts inside a systole).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from lvseg.analysis.beat_config import BeatConfig
from lvseg.analysis.cycle import CycleWindow, Fall
from lvseg.analysis.quality import SMALL_STROKE, Beat
from lvseg.analysis.turning import Systole


class HiddenBeats:
    """The searches of one BeatTracker, over its cycle window (frames at ``fps``)."""

    def __init__(self, config: BeatConfig, fps: float, cycle: CycleWindow) -> None:
        self.config, self.fps, self.cycle = config, fps, cycle

    def spacing(self, reference: float) -> float:
        """The least ED-to-ED interval of two beats, in frames, given the typical one."""
        return max(self.config.min_period_s * self.fps, self.config.min_cycle_fraction * reference)

    def in_pause(self, prior: Beat, until: int, reference: float, at_end: bool = False) -> Fall | None:
        """A premature beat between the ED of ``prior`` and the frame ``until`` (the next ED, or the run's
        end), if that interval is a compensatory pause: pause_fraction of ``reference`` or more; ``at_end``
        (the run ended with no ED after ``prior``'s beat): end_fraction of it, the pause the clip cut short,
        with a fall of end_noise times the curve's noise too."""
        fraction = self.config.end_fraction if at_end else self.config.pause_fraction
        if until - prior.ed_frame < fraction * reference:
            return None
        spacing = self.spacing(reference)
        least = self.config.end_noise * self.cycle.noise() if at_end else 0.0
        return self._fall(max(prior.es_frame, int(prior.ed_frame + spacing)), int(until - spacing / 2), until,
                          rise=False, least=least)

    def before_first(self, run_first: int, first: Beat, cycle: float) -> Fall | None:
        """A premature beat before a run's first beat, if head_fraction of a ``cycle`` (the run's first ED-ED
        interval, or its systoles' guess when it has one beat) passed from the run's start with no ED."""
        if first.ed_frame - run_first < self.config.head_fraction * cycle:
            return None
        return self._fall(run_first, int(first.ed_frame - self.spacing(cycle) / 2), first.ed_frame, rise=True)

    def later_ed(self, systole: Systole, swing: float) -> Systole:
        """A systole longer than max_systole_s with its ED moved to the highest frame of the max_systole_s before
        its ES, when the fall from there to the ES is still ``swing``; otherwise unchanged (it is then rejected).
        The earlier top is left to ``in_pause``: with the ED moved, the interval before it is a pause."""
        c, es = self.config, systole.es
        # the search starts after the held ED: the systole is longer than max_systole_s
        top = self.cycle.top(int(math.ceil(es.frame - c.max_systole_s * self.fps)),
                             int(es.frame - c.min_systole_s * self.fps))
        if top is None or top.smoothed - es.smoothed < swing:
            return systole
        return systole._replace(ed=top, head=False)

    def is_notch(self, pending: Beat, prior_ed: int | None, next_ed: int, intervals: Sequence[float]) -> bool:
        """Is ``pending`` a small stroke between two beats whose EDs (``prior_ed``, ``next_ed``) are under
        split_fraction of the typical ED-ED interval apart? ``intervals``: the run's latest ones, the last of
        them the one ``pending`` made (a run's first interval, with none before it to judge by, never is). A premature beat comes with a compensatory pause and an AF beat with a
        cycle of its own, so their neighbours are further apart."""
        if SMALL_STROKE not in pending.reasons or prior_ed is None or len(intervals) < 2:
            return False
        return next_ed - prior_ed < self.config.split_fraction * float(np.median(list(intervals)[:-1]))

    def _fall(self, first: int, last: int, until: int, rise: bool, least: float = 0.0) -> Fall | None:
        """The deepest fall top -> bottom in first..last, if it and the refill after its bottom (up to
        ``until``), and with ``rise`` the rise to its top, are each ectopic_fraction of the stroke scale and
        ``least``; with ``rise`` the search goes on after a fall with no rise before it. Inside a run no rise is
        asked for: a premature beat comes before the ventricle has refilled."""
        c, window = self.config, self.cycle
        least = max(least, c.ectopic_fraction * window.scale())
        while True:
            fall = window.largest_fall(first, last, int(math.ceil(c.min_systole_s * self.fps)),
                                       int(c.max_systole_s * self.fps))
            if fall is None or fall.depth < least or fall.bottom.volume >= fall.top.volume:
                return None
            before = window.lowest(first, fall.top.frame - 1)
            if not rise or (before is not None and fall.top.smoothed - before >= least):
                break
            first = fall.bottom.frame  # the systole the clip starts inside: look after it
        refill = window.highest(fall.bottom.frame + 1, until)
        return None if refill is None or refill - fall.bottom.smoothed < least else fall
