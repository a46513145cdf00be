"""Found beats against true beats, one to one, the way beat detectors are scored: misses and extras.

A found beat matches a true beat when the two systoles overlap and the found ES lies within the tolerance
of the true one (half the true systole, at least ``min_tolerance`` frames), pairs closest first. The ES
is the sharp end of ejection; an ED may sit anywhere on a long flat diastasis (its error is reported
apart). A beat is at the clip's edge
when its ED is within ``edge`` frames of the first frame or its ES within ``edge`` frames of the last:
whether such a systole is whole cannot be told from inside the clip within a segmentation's jitter (the
finder calls it partial or 'edge', lvseg.analysis.beat_config edge_s), so an unmatched edge beat, true or
found, is neither a miss nor an extra. It never enters a video's EF either (lvseg.analysis.quality: an
edge beat is poor). The benchmarks report this beside the plain count of beats.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

Pair = tuple[int, int]  # (ED frame, ES frame)


class BeatMatch(NamedTuple):
    """Counts of one clip: matched pairs, true beats not found, found beats not true, and edge beats of
    either kind left unmatched (not counted as errors)."""

    matched: int
    missed: int
    extra: int
    edge_unmatched: int

    @property
    def exact(self) -> bool:
        return self.missed == 0 and self.extra == 0


def match_beats(true: Sequence[Pair], found: Sequence[Pair], frames: int, edge: int,
                min_tolerance: int = 2) -> BeatMatch:
    """Match ``found`` to ``true`` beats of a clip of ``frames`` frames with an edge zone of ``edge`` frames."""
    candidates = []
    for i, (ed, es) in enumerate(true):
        tolerance = max(min_tolerance, (es - ed) // 2)
        for j, (fed, fes) in enumerate(found):
            if fed < es and ed < fes and abs(fes - es) <= tolerance:
                candidates.append((abs(fed - ed) + abs(fes - es), i, j))
    used_true: set[int] = set()
    used_found: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used_true and j not in used_found:
            used_true.add(i)
            used_found.add(j)

    def at_edge(pair: Pair) -> bool:
        return pair[0] <= edge or pair[1] >= frames - 1 - edge

    missed = [p for i, p in enumerate(true) if i not in used_true]
    extra = [p for j, p in enumerate(found) if j not in used_found]
    return BeatMatch(len(used_true), sum(not at_edge(p) for p in missed), sum(not at_edge(p) for p in extra),
                     sum(at_edge(p) for p in missed + extra))
