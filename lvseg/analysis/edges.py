"""Does a clip start or end inside a systole? The rule that keeps a beat the clip cuts short from counting.

A systole whose ED (ES) lies within edge_s of a run's first (last) frame cannot show the rise before (after) its
extremum, so its level decides: the clip starts (ends) inside it when that extremum falls short of the window's
ED (ES) level by more than edge_fraction of the stroke scale. A run that is one fall shows no level and is cut.

At a run's end time decides too. The isovolumic relaxation after an ES is flat, so on a jittered curve the lowest
frame of that plateau is often the very last one, a hair above the ES level (a whole beat then went uncounted).
A systole that began at least ``tail_systoles`` typical ED-ES durations before the run's last frame had the time
to end: it is whole if its last frame is within ``tail_fraction`` of the stroke scale of the ES level. (That bound
keeps a clip that ends mid-ejection cut when its ED, the maximum of a long flat diastasis, came early.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lvseg.analysis.beat_config import BeatConfig
from lvseg.analysis.cycle import Levels
from lvseg.analysis.turning import Systole


def cut_short(systole: Systole, levels: Levels, scale: float, last: int | None, systoles: Sequence[int],
              config: BeatConfig) -> bool:
    """True when the clip starts or ends inside ``systole``. ``levels`` and ``scale``: the cycle window's ES / ED
    levels and stroke scale; ``last``: the run's latest frame; ``systoles``: the run's latest ED-ES durations."""
    tolerance = config.edge_fraction * scale
    if systole.head and (systole.tail or systole.ed.smoothed < levels.high - tolerance):
        return True
    if not systole.tail or systole.es.smoothed <= levels.low + tolerance:
        return False
    return not (len(systoles) and last is not None and systole.es.smoothed <= levels.low + config.tail_fraction * scale
                and last - systole.ed.frame >= config.tail_systoles * float(np.median(systoles)))
