"""benchmarks.excess: every wrong pixel is named by its tissue class and counted as a share of the true area."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.excess import Excess
from lvseg.synth import labels as L
from lvseg.synth.plan import appearance, plan_video


def test_a_mask_grown_into_the_wall_is_counted_in_the_non_compacted_layer():
    plan = plan_video(11, 0, max_frames=40)
    _, extras = appearance(plan, "heldout-walls")
    labels = L.label_map(plan.anatomy(plan.timing.es_frame), extras, (112, 112), 1)
    true = np.isin(labels, L.LV_CLASSES)
    layer = np.isin(labels, (L.LV_NONCOMPACT, L.LV_RECESS))
    lost = true & (labels == L.LV_BLOOD) & (np.arange(112)[:, None] < 30)  # the model misses the apex's blood
    predicted = (true | layer) & ~lost
    excess = Excess()
    excess.add("ES", predicted, true, labels)
    added, missed = excess.shares("ES", "added"), excess.shares("ES", "missed")
    assert set(added) == {"lv_noncompact", "lv_recess"} and set(missed) == {"lv_blood"}
    assert sum(added.values()) == pytest.approx(100 * layer.sum() / true.sum())
    assert missed["lv_blood"] == pytest.approx(100 * lost.sum() / true.sum())
    assert "ES added" in excess.table() and excess.shares("ED", "added") == {}
