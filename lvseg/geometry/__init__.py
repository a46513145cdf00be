"""LV geometry shared by every stage: the official mask rule, landmark schemes, heatmaps, splines, disks."""
