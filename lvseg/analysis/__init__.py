"""Video analysis: LV area, long axis, method-of-disks volume per frame, beats and ejection fraction.

Modules: volumes (one frame's segmentation -> FrameMeasure), smoothing (streaming Savitzky-Golay),
beats (volume curve -> beats, EF and quality flags, one algorithm for whole videos and streams),
stream (a streaming analyser over a segmentation runner, and the same analysis of a whole video or
curve), agreement (predicted vs reference EF over videos: errors, Bland-Altman, correlation, AUC,
bootstrap CIs).
"""
