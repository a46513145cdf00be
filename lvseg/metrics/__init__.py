"""Metrics every stage reports the same way: dice (per-frame and pooled Dice, its bootstrap CI)."""
