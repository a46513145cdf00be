"""Data seeds with a fixed role, so that no figure is reported on clips a setting was chosen on.

A synthetic clip is a pure function of (seed, index, stream), and clip i of a seed has the same heart and look
whatever its physiology preset, style or frame bounds: two sets of one seed share their hearts. So a set whose
figures are reported must not share its seed with a set any setting was tuned on.
"""

# benchmarks/physiology.py and benchmarks/beats.py: lvseg.analysis's thresholds are tuned on the tuning seed (the
# finder's own curves, and the demo models' volume curves of that seed's clips in every physiology preset) and
# figures are reported on the report seed.
TUNING_SEED = 1
REPORT_SEED = 2
# Other seeds a setting was chosen on: mirror averaging by default (physiology clips of seed 3) and the waist cut
# left out of the output rule (held-out styles of seeds 1-3, benchmarks/waist_model.py).
DECIDED_SEEDS = (TUNING_SEED, REPORT_SEED, 3)
# lvseg demo reports EF on an analysis set of its training seed plus this: seed 10 for the default seed 0, clear
# of every seed above (it was seed + 1 until that seed had become the tuning seed).
ANALYSIS_SEED_OFFSET = 10
