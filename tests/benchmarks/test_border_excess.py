"""benchmarks.border_excess: wrong pixels located by fifth of the true long axis and beyond the base line."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))  # it runs as a script
import border_excess  # noqa: E402

# an upright LV: rows 20-79, columns 40-59, with its apex tip at rows 17-19; the base line closes it along row 79
TRUTH = np.zeros((112, 112), np.uint8)
TRUTH[20:80, 40:60] = 1
TRUTH[17:20, 49:51] = 1
BASE = np.array([40.0, 79.0, 59.0, 79.0])


def test_axial_position_runs_from_the_base_middle_to_the_apex():
    position = border_excess.axial_position(TRUTH, BASE)
    assert position[79, 49] == pytest.approx(0.0, abs=0.01) and position[17, 49] == pytest.approx(1.0, abs=0.01)
    assert position[48, 49] == pytest.approx(0.5, abs=0.01) and position[48, 40] == pytest.approx(0.5, abs=0.01)
    assert border_excess.axial_position(np.zeros_like(TRUTH), BASE) is None


def test_a_wall_drawn_outside_is_excess_in_every_fifth_and_a_leak_is_beyond_the_base():
    wider = TRUTH.copy()
    wider[20:80, 60] = 1  # one column outside the right wall, base to apex
    fp, fn = border_excess.border_errors(TRUTH, wider, BASE)
    assert fn.sum() == 0 and fp[-1] == 0 and fp.sum() == 60
    assert fp[:5].tolist() == [13, 12, 13, 12, 10]  # spread along the wall (fifths of 12.4 rows; the tip has none)
    leak = TRUTH.copy()
    leak[80:90, 45:55] = 1  # through the valve into the atrium
    fp, fn = border_excess.border_errors(TRUTH, leak, BASE)
    assert fp[-1] == 100 and fp[:5].sum() == 0 and fn.sum() == 0
    short = TRUTH.copy()
    short[17:26] = 0  # the apex cut off
    fp, fn = border_excess.border_errors(TRUTH, short, BASE)
    assert fp.sum() == 0 and fn[4] == 6 + 120 and fn[:4].sum() == 0
    # no base line (version-1 records) or no true LV: nothing to place the errors on
    assert border_excess.border_errors(TRUTH, short, np.full(4, np.nan)) is None
    assert border_excess.border_errors(TRUTH, short, None) is None
    assert border_excess.border_errors(np.zeros_like(TRUTH), short, BASE) is None


def test_table_gives_per_mille_of_the_true_pixels_and_the_net():
    counts = np.zeros((2, 6))
    counts[0, 0], counts[1, 4] = 12.0, 3.0
    lines = border_excess.table({"ES": (counts, 1200.0)}).splitlines()
    assert lines[0].split()[-2:] == ["beyond", "sum"]
    fp, fn, net = (line.split() for line in lines[1:])
    assert float(fp[2]) == 10.0 and float(fn[6]) == 2.5 and float(net[-1]) == 7.5
