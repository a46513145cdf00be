"""Metrics every stage reports the same way: dice (per-frame and pooled Dice, its bootstrap CI) and area (area
ratio and the leak beyond the base line: the size bias Dice hides)."""
