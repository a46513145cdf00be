"""benchmarks.waist_model: where a mask's waist lies, and the per-set counts of what the cut removed."""

from __future__ import annotations

import numpy as np

from benchmarks.transfer import Frames
from benchmarks.waist_model import report, waist_of
from lvseg.geometry.waist import cut_at_waist
from tests.geometry.test_waist import atrium, ventricle


def test_a_leak_has_its_waist_at_the_annulus_and_a_ventricle_has_none():
    lv = ventricle()
    position, width, above, beyond = waist_of(lv | atrium())
    assert 0.6 < position < 0.85 and width < 0.85 * above and beyond > 1.15 * width
    assert waist_of(lv) is None


def test_the_report_counts_what_the_cut_removed_and_whose_it_was(capsys):
    lv = ventricle()
    leaky, speck = lv | atrium(), lv.copy()
    speck[2:4, 2:4] = 1  # a speck away from the LV: the largest-component step removes it
    frames = Frames(np.zeros((3, 112, 112), np.uint8), np.stack([lv, lv, lv]), ["ES", "ED", "ED"], None)
    report("set", frames, [leaky, speck, lv], cuts=True)
    lines = capsys.readouterr().out.splitlines()
    cells = lines[0].split()
    assert cells[:2] == ["set", "3"] and float(cells[3]) > float(cells[2])
    removed = int((leaky & ~cut_at_waist(leaky)).sum())
    assert removed > 0.9 * (leaky & ~lv).sum()  # the atrium, all but the neck above the waist
    assert cells[4:] == ["2", "2", "0", str(removed + 4), "0"]  # changed, helped, hurt, removed px, of them true LV
    assert len(lines) == 2 and "frame   0 ES  waist at" in lines[1]
