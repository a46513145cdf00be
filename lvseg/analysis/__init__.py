"""Video analysis: LV area, long axis, method-of-disks volume per frame, beats and ejection fraction.

Modules: volumes (one frame's segmentation -> FrameMeasure), smoothing (streaming Savitzky-Golay),
beats (volume curve -> beats, EF and quality flags, one algorithm for whole videos and streams) with its
parts: beat_config (thresholds and where each was tuned), cycle (the stroke scale and cycle length of the
last seconds), turning (one ED and one ES per cycle), premature (ectopic beats the turning points miss, and
notches they take for beats), quality (per-beat quality and the video's EF); matching (found beats against
true ones, for the benchmarks);
video (a whole video or curve through the same tracker as a stream), agreement (predicted vs reference EF
over videos: errors, Bland-Altman, correlation, AUC, bootstrap CIs).
"""
