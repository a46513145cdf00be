"""From uint8 frames to model input: the one input normalization every model is trained and run with.

A grey uint8 frame (H, W) becomes float32 (H, W, 1) in [0, 1] by x / 255. The trainer's tf.data graph
repeats this rule in TF ops (trainer.data.to_float, checked equal by a parity test); an int8 TFLite
model takes the same value quantized with its input tensor's scale and zero point (``INT8_INPUT_RULE``).
"""

from __future__ import annotations

import numpy as np

from lvseg.frame import FRAME_SHAPE

INPUT_DIVISOR = 255.0  # divide, not multiply by 1/255: the two differ in float32's last bit
INPUT_SPEC = {"shape": [*FRAME_SHAPE, 1], "dtype": "float32", "normalization": "grey uint8 / 255.0"}
INT8_INPUT_RULE = "q = clip(round((uint8_frame / 255.0) / scale) + zero_point, -128, 127)"
INT8_OUTPUT_RULE = "value = (q - zero_point) * scale"


def to_model_input(frames: np.ndarray) -> np.ndarray:
    """uint8 grey frames (..., H, W) -> float32 model input (..., H, W, 1) in [0, 1]."""
    return (np.asarray(frames, dtype=np.float32) / INPUT_DIVISOR)[..., None]
