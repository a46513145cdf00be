"""lvseg.synth.seeds: the sets figures are reported on share no seed with the sets settings were chosen on."""

from __future__ import annotations

from lvseg.synth.physiology import PHYSIOLOGIES
from lvseg.synth.seeds import ANALYSIS_SEED_OFFSET, DECIDED_SEEDS, REPORT_SEED, TUNING_SEED, physiology_seed


def test_every_physiology_preset_draws_from_a_seed_of_its_own():
    tuning = {physiology_seed(TUNING_SEED, p) for p in PHYSIOLOGIES}
    report = {physiology_seed(REPORT_SEED, p) for p in PHYSIOLOGIES}
    assert len(tuning) == len(report) == len(PHYSIOLOGIES)
    assert not tuning & report
    # and none is the demo's training or analysis seed, nor a seed another setting was chosen on
    assert not (tuning | report) & {0, ANALYSIS_SEED_OFFSET, *DECIDED_SEEDS}
