"""The two U-Net sizes by name (no TensorFlow here, so flag parsers and cloud launchers can list them)."""

PRESETS: dict[str, dict] = {
    # The study's U-Net: 64 filters doubling to 1024 at the bottleneck (about 31 M parameters).
    "paper": {"filters": (64, 128, 256, 512, 1024), "dropout": 0.2, "batch_norm": True, "upsampling": "transpose"},
    # Made for int8 on a handheld: under 1 M parameters and 1 GFLOP per 112x112 frame.
    "compact": {"filters": (12, 24, 48, 96, 128), "dropout": 0.1, "batch_norm": True, "upsampling": "bilinear"},
}
