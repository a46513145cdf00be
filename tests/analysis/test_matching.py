"""Found beats against true beats (lvseg.analysis.matching): one to one by the ES, edge beats aside."""

from __future__ import annotations

from lvseg.analysis.beat_config import edge_frames
from lvseg.analysis.matching import BeatMatch, match_beats

TRUE = [(10, 30), (60, 80), (110, 130)]


def test_the_same_beats_match_within_the_tolerance():
    assert match_beats(TRUE, [(11, 29), (58, 81), (112, 131)], 160, 2) == BeatMatch(3, 0, 0, 0)
    # an ED anywhere on a long flat diastasis still is the same beat: the ES decides, the systoles overlap
    assert match_beats(TRUE, [(10, 30), (45, 80), (110, 130)], 160, 2).exact


def test_misses_and_extras_are_counted_one_to_one():
    assert match_beats(TRUE, [(10, 30), (110, 130)], 160, 2) == BeatMatch(2, 1, 0, 0)
    # an ES half a systole off is another beat: a miss and an extra, not a match
    assert match_beats(TRUE, [(10, 30), (60, 95), (110, 130)], 160, 2) == BeatMatch(2, 1, 1, 0)
    # two found beats on one true beat: one matches, the other is extra
    assert match_beats(TRUE, [(10, 30), (12, 31), (60, 80), (110, 130)], 160, 2) == BeatMatch(3, 0, 1, 0)


def test_unmatched_edge_beats_are_no_errors_on_either_side():
    true = [(1, 20), *TRUE[1:], (140, 159)]  # ED on frame 1, ES on the last frame
    m = match_beats(true, [(60, 80), (110, 130)], 160, 2)
    assert m == BeatMatch(2, 0, 0, 2) and m.exact
    m = match_beats(TRUE[1:], [(0, 18), (60, 80), (110, 130), (141, 158)], 160, 2)  # found ones at the edges
    assert m == BeatMatch(2, 0, 0, 2) and m.exact
    # a beat three frames inside is not at the edge of a two-frame zone
    assert match_beats([(3, 20), *TRUE[1:]], TRUE[1:], 160, 2) == BeatMatch(2, 1, 0, 0)


def test_the_edge_zone_is_the_finders_own():
    assert edge_frames(50.0) == 2 and edge_frames(20.0) == 1 and edge_frames(130.0) == 5
