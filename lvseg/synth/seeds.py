"""Data seeds with a fixed role, so that no figure is reported on clips a setting was chosen on.

A synthetic clip is a pure function of (seed, index, stream), and clip i of a seed has the same heart and look
whatever its physiology preset, style or frame bounds: two sets of one seed share their hearts. So a set whose
figures are reported must not share its seed with a set any setting was tuned on, and the presets of one
benchmark draw from seeds of their own (``physiology_seed``).
"""

from __future__ import annotations

from lvseg.synth.physiology import PHYSIOLOGIES

# benchmarks/physiology.py and benchmarks/beats.py: lvseg.analysis's thresholds are tuned on the tuning seed (the
# finder's own curves, and the demo models' volume curves of that seed's clips in every physiology preset) and
# figures are reported on the report seed. (Until the presets had seeds of their own, physiology seed 1 drew its
# clips from seed 1 itself, in every preset.)
TUNING_SEED = 1
REPORT_SEED = 2
# Other seeds a setting was chosen on: mirror averaging by default (physiology clips of seed 3) and the waist cut
# left out of the output rule (held-out styles of seeds 1-3, benchmarks/waist_model.py).
DECIDED_SEEDS = (TUNING_SEED, REPORT_SEED, 3)
# lvseg demo reports EF on an analysis set of its training seed plus this: seed 10 for the default seed 0, clear
# of every seed above (it was seed + 1 until that seed had become the tuning seed).
ANALYSIS_SEED_OFFSET = 10


def physiology_seed(seed: int, preset: str) -> int:
    """The data seed of one physiology preset of benchmarks/physiology.py's ``seed``: 100 seed + the preset's place
    in PHYSIOLOGIES. With one seed for all, clip i had the same heart and look in every preset, and 160 videos of
    eight presets were 20 hearts and looks. No other reported or tuned set draws from seeds 100-799."""
    return 100 * seed + list(PHYSIOLOGIES).index(preset)
