"""trainer.data: its TF-op copy of the input normalization equals lvseg.inference.encode, value for value."""

from __future__ import annotations

import numpy as np

from lvseg.inference.encode import to_model_input
from trainer.data import to_float


def test_training_input_equals_the_inference_input_for_every_grey_level():
    image = np.arange(256, dtype=np.uint8).reshape(16, 16)
    batch = {"image": image[None], "mask": np.zeros((1, 16, 16), np.uint8)}
    trained_on = np.asarray(to_float(batch)["image"])
    assert trained_on.dtype == np.float32
    np.testing.assert_array_equal(trained_on, to_model_input(image[None]))
