"""The clip-edge rule (lvseg.analysis.edges): a systole the clip cuts short is not a beat, a whole one is."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.analysis.beat_config import BeatConfig
from lvseg.analysis.cycle import Levels
from lvseg.analysis.edges import cut_short
from lvseg.analysis.smoothing import Sample
from lvseg.analysis.turning import Systole
from lvseg.analysis.video import analyse_curve

LEVELS, SCALE = Levels(40.0, 100.0), 60.0  # tolerance: edge_fraction (0.05) x 60 = 3


def systole(ed: tuple[int, float], es: tuple[int, float], head: bool = False, tail: bool = False) -> Systole:
    return Systole(Sample(ed[0], ed[1], ed[1]), Sample(es[0], es[1], es[1]), head, tail)


@pytest.mark.parametrize("ed_level,cut", [(98.0, False), (96.0, True)])
def test_a_head_systole_is_whole_when_its_ed_reaches_the_ed_level(ed_level, cut):
    assert cut_short(systole((0, ed_level), (25, 40.0), head=True), LEVELS, SCALE, 200, [25], BeatConfig()) is cut


def test_a_run_that_is_one_fall_is_cut():
    assert cut_short(systole((0, 100.0), (25, 40.0), head=True, tail=True), LEVELS, SCALE, 26, [], BeatConfig())


@pytest.mark.parametrize("last,systoles,es_level,cut", [
    (319, [25, 25, 26], 44.0, False),  # 29 frames after the ED, a typical systole is 25: it had the time to end
    (314, [25, 25, 26], 44.0, True),   # 24 frames: shorter than a typical systole, the clip may end inside it
    (320, [], 44.0, True),             # no systole yet to judge by: the level alone decides
    (319, [25, 25, 26], 47.0, True),   # 7 above the level, over tail_fraction (0.1) of the stroke: mid-ejection
])
def test_a_tail_es_near_the_es_level_is_whole_once_a_typical_systole_has_passed(last, systoles, es_level, cut):
    tail = systole((290, 100.0), (last, es_level), tail=True)  # 44: 4 over the ES level 40, more than 3 (edge_fraction)
    assert cut_short(tail, LEVELS, SCALE, last, systoles, BeatConfig()) is cut


def test_a_tail_es_at_the_es_level_is_whole_however_soon_the_clip_ends():
    assert not cut_short(systole((290, 100.0), (305, 42.0), tail=True), LEVELS, SCALE, 305, [25], BeatConfig())


def test_a_last_beat_whose_es_plateau_runs_to_the_clip_end_above_the_es_level_is_counted():
    # four beats every 70 frames (ES plateaus at 40), then one whose ES comes out at 45 and keeps sinking on the flat
    # isovolumic plateau to the clip's last frame (44, seven frames after its ES): the lowest frame is the last
    # one, 4 above the window's ES level, so the level rule alone would call it a systole the clip cut short
    points = []
    for ed in (10, 80, 150, 220):
        points += [(ed, 100), (ed + 25, 40), (ed + 29, 40), (ed + 40, 85)]
    points += [(290, 100), (315, 45), (322, 44)]
    frames, values = np.array(points, dtype=np.float64).T
    found = analyse_curve(np.interp(np.arange(323), frames, values), 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == 5 and np.abs(np.subtract(got[:4], [(10, 37), (80, 107), (150, 177), (220, 247)])).max() <= 2
    assert got[4][0] == pytest.approx(290, abs=1) and got[4][1] >= 315, got
    assert not found.beats[4].good and found.ef == pytest.approx(60, abs=0.5)  # an edge beat: not in the EF
    old = analyse_curve(np.interp(np.arange(323), frames, values), 50, BeatConfig(tail_systoles=1e9))
    assert len(old.beats) == 4  # the level rule alone (the finder before this rule) missed it
