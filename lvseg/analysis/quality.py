"""A beat, its quality, and the EF of a set of beats (the median of the good ones).

A beat is poor, with its reasons, when its EF is less trustworthy than its neighbours':
  ectopic       a small premature beat found inside a long cycle (an extrasystole before its compensatory
                pause): a real beat, but its EF says little about the ventricle's function;
  small_stroke  a stroke volume well below the curve's stroke scale (a weak or partial contraction);
  edge          its ED is the clip's first frame or its ES the last: the true extremum may lie outside;
  gap           failed frames inside it were bridged: an extremum may have been interpolated away.
EF over beats is the median EF of the good beats, or of all beats when none is good; EFSpread follows how far
the good beats' EFs disagree (their standard deviation) in constant memory, as a stream needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

ECTOPIC, SMALL_STROKE, EDGE, GAP = "ectopic", "small_stroke", "edge", "gap"
GOOD = "good"


@dataclass(frozen=True)
class Beat:
    """One systole: ED and ES frame indices, the volumes there (pixel units of lvseg.analysis.volumes) and
    the reasons it is poor (none: a good beat)."""

    ed_frame: int
    es_frame: int
    edv: float
    esv: float
    reasons: tuple[str, ...] = ()

    @property
    def ef(self) -> float:
        return (self.edv - self.esv) / self.edv * 100.0

    @property
    def stroke(self) -> float:
        return self.edv - self.esv

    @property
    def good(self) -> bool:
        return not self.reasons

    @property
    def quality(self) -> str:
        """'good', or 'poor:' and the reasons joined by '+' (the per-beat table's column)."""
        return GOOD if self.good else "poor:" + "+".join(self.reasons)


def counted(beats: Iterable[Beat]) -> list[Beat]:
    """The beats an EF is taken over: the good ones, or all of them when none is good."""
    beats = list(beats)
    good = [b for b in beats if b.good]
    return good or beats


def median_ef(beats: Iterable[Beat]) -> float | None:
    """Median EF of the counted beats (the good ones, else all); None without a beat."""
    beats = counted(beats)
    return float(np.median([b.ef for b in beats])) if beats else None


class EFSpread:
    """Running sample standard deviation of EFs (Welford's update: a stream keeps three numbers, not the beats)."""

    def __init__(self) -> None:
        self.count, self._mean, self._squares = 0, 0.0, 0.0

    def add(self, ef: float) -> None:
        self.count += 1
        delta = ef - self._mean
        self._mean += delta / self.count
        self._squares += delta * (ef - self._mean)

    @property
    def sd(self) -> float:
        """Sample standard deviation (n - 1); 0 with fewer than two EFs."""
        return math.sqrt(self._squares / (self.count - 1)) if self.count > 1 else 0.0
