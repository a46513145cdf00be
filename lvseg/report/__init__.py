"""Pictures and pages a person would rather look at than read: overlay (contours on frames), figures
(histograms, overlay grids, GIFs as bytes). Beam-free, so any stage (or a notebook) can draw them.
"""
