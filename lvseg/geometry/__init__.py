"""LV geometry shared by every stage: the official mask rule, its base line, landmark schemes, heatmaps,
splines, disks."""
