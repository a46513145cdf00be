"""A real int8 TFLite mask model whose answer is known: LV where the grey level is above half (with its card)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import write_card_stub


@pytest.fixture(scope="session")
def threshold_tflite(tmp_path_factory) -> str:
    """One 1x1 convolution, sigmoid(40 x - 20) of the input x in [0, 1]: above 0.5 where x > 0.5 (grey > 127)."""
    from export.convert import to_tflite
    from lvseg.tf_backend import keras

    inputs = keras.Input((112, 112, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 1, activation="sigmoid")(inputs))
    model.layers[-1].set_weights([np.full((1, 1, 1, 1), 40.0, np.float32), np.array([-20.0], np.float32)])
    levels = np.linspace(0, 255, 16, dtype=np.uint8)
    representative = np.broadcast_to(levels[:, None, None], (16, 112, 112)).copy()
    path = str(tmp_path_factory.mktemp("threshold") / "threshold.tflite")
    with open(path, "wb") as f:
        f.write(to_tflite(model, "int8", representative))
    write_card_stub(path, "mask", "int8", None)
    return path
