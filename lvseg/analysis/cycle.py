"""The last few seconds of one run's volume curve, and what they say about its cycle.

CycleWindow is a ring buffer of the latest smoothed samples of the current run (a fixed number of frames,
so a stream's memory never grows). From it:
  levels, scale  P5 and P95 of the smoothed volumes (about the ES and ED levels) and their difference,
           about one stroke volume over a cycle or more (percentiles, not min and max, so a residual spike
           does not set them);
  largest_fall  the deepest fall (an earlier maximum to a later minimum) between two frames: where a
           premature (ectopic) beat hides inside a long cycle; highest, the highest smoothed volume between
           two frames (the refill that confirms its ES), lowest (the rise that confirms its ED); top, the
           sample of the highest one (an ED the running maximum passed over);
  noise, level  the curve's frame-to-frame noise, and an extremum's volume averaged over the frames
           next to it that the noise cannot tell from it (a beat's ED or ES volume);
  bridged  whether any frame between two frames was bridged over a gap.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lvseg.analysis.smoothing import Sample


class Fall(NamedTuple):
    """A fall of the smoothed curve from the sample ``top`` to the later sample ``bottom``."""

    top: Sample
    bottom: Sample

    @property
    def depth(self) -> float:
        return self.top.smoothed - self.bottom.smoothed


class Levels(NamedTuple):
    low: float
    high: float


def percentile(values: np.ndarray, q: float) -> float:
    """np.percentile(values, q) with its default linear rule, bit for bit, by a partial sort: the levels are
    needed at every frame of a stream, where np.percentile's own overhead was a tenth of the analyser's cost."""
    position = q / 100.0 * (len(values) - 1)
    below = int(position)
    above = min(below + 1, len(values) - 1)
    part = np.partition(values, [below, above] if above > below else [below])
    a, b, t = float(part[below]), float(part[above]), position - below
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t  # numpy's two-sided lerp


class CycleWindow:
    """The latest ``size`` frames of a run: frame numbers, smoothed and bridged volumes, bridged marks."""

    def __init__(self, size: int) -> None:
        self.size = int(size)
        self.frames = np.full(self.size, -1, dtype=np.int64)
        self.smoothed = np.zeros(self.size)
        self.volumes = np.zeros(self.size)
        self.bridged = np.zeros(self.size, dtype=bool)
        self.count = 0  # samples added since the run began
        self._scale_at, self._levels = -1, Levels(0.0, 0.0)

    def reset(self) -> None:
        """A new run: nothing of the last one counts."""
        self.frames[:] = -1
        self.bridged[:] = False
        self.count, self._scale_at = 0, -1

    def mark(self, frame: int, bridged: bool) -> None:
        """Note, as a frame goes in (before it is smoothed), whether it was bridged over a gap."""
        self.bridged[frame % self.size] = bridged

    def add(self, sample: Sample) -> None:
        slot = sample.frame % self.size
        self.frames[slot], self.smoothed[slot], self.volumes[slot] = sample.frame, sample.smoothed, sample.volume
        self.count += 1

    def _ordered(self) -> np.ndarray:
        """Slots of the held samples, oldest first."""
        held = min(self.count, self.size)
        last = int(self.frames.max()) if held else -1
        return np.arange(last - held + 1, last + 1) % self.size

    def levels(self) -> Levels:
        """P5 and P95 of the held smoothed volumes (0 when empty): about the ES and ED levels."""
        if self._scale_at != self.count:
            values = self.smoothed[self.frames >= 0]  # the held ones, in any order (a reset marks every slot -1)
            self._scale_at = self.count
            self._levels = Levels(percentile(values, 5.0), percentile(values, 95.0)) if len(values) else \
                Levels(0.0, 0.0)
        return self._levels

    def scale(self) -> float:
        """P95 - P5 of the held smoothed volumes: about one stroke volume."""
        levels = self.levels()
        return float(levels.high - levels.low)

    def _span(self, first: int, last: int) -> np.ndarray:
        """Slots of the held frames first..last (those still held), in order."""
        slots = self._ordered()
        frames = self.frames[slots]
        return slots[(frames >= first) & (frames <= last)]

    def sample(self, slot: int) -> Sample:
        return Sample(int(self.frames[slot]), float(self.smoothed[slot]), float(self.volumes[slot]))

    def largest_fall(self, first: int, last: int, min_frames: int, max_frames: int) -> Fall | None:
        """The deepest fall top -> bottom with first <= top < bottom <= last, lasting min..max_frames."""
        slots = self._span(first, last)
        s = self.smoothed[slots]
        best, best_depth = None, 0.0
        for j in range(len(s)):
            lo, hi = max(0, j - max_frames), j - min_frames
            if hi < lo:
                continue
            i = lo + int(np.argmax(s[lo:hi + 1]))
            if s[i] - s[j] > best_depth:
                best, best_depth = (i, j), s[i] - s[j]
        return None if best is None else Fall(self.sample(slots[best[0]]), self.sample(slots[best[1]]))

    def top(self, first: int, last: int) -> Sample | None:
        """The held sample of first..last with the highest smoothed volume (None when none is held)."""
        slots = self._span(first, last)
        return self.sample(slots[int(np.argmax(self.smoothed[slots]))]) if len(slots) else None

    def highest(self, first: int, last: int) -> float | None:
        """The highest smoothed volume of the held frames first..last (None when none is held)."""
        slots = self._span(first, last)
        return float(self.smoothed[slots].max()) if len(slots) else None

    def lowest(self, first: int, last: int) -> float | None:
        """The lowest smoothed volume of the held frames first..last (None when none is held)."""
        slots = self._span(first, last)
        return float(self.smoothed[slots].min()) if len(slots) else None

    def noise(self) -> float:
        """Robust std of the held volumes' frame-to-frame noise: the median |third difference| / 3.017 (for
        independent noise the third difference has std sqrt(20) sigma; a smooth curve's is small)."""
        held = self.volumes[self._ordered()]
        return float(np.median(np.abs(np.diff(held, 3)))) / 3.017 if len(held) > 3 else 0.0

    def level(self, sample: Sample, half: int, tolerance: float) -> float:
        """Mean volume of the held frames within ``half`` frames of ``sample`` whose smoothed volume is within
        ``tolerance`` of its own: an extremum's volume with the frame-to-frame noise averaged out."""
        slots = self._span(sample.frame - half, sample.frame + half)
        near = self.volumes[slots][np.abs(self.smoothed[slots] - sample.smoothed) <= tolerance]
        return float(near.mean()) if len(near) else sample.volume

    def bridged_between(self, first: int, last: int) -> bool:
        return bool(self.bridged[self._span(first, last)].any())
