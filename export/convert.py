"""Keras model -> TFLite flatbuffer, one function per quantization variant's converter settings.

Every variant is converted from a concrete function with a fixed batch of 1: with a dynamic batch
the converter adds SHAPE/STRIDED_SLICE/PACK ops around Conv2DTranspose, which cost latency on a
handheld and are not needed (the device segments one frame at a time).
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from export.variants import INT8_VARIANTS, VARIANTS
from lvseg.inference.encode import to_model_input
from lvseg.tf_backend import keras, tf


def _fixed_batch_function(model: keras.Model):
    """The model's inference function traced for one (1, H, W, C) float32 frame."""
    spec = tf.TensorSpec([1, *model.input_shape[1:]], tf.float32, name="image")
    return tf.function(lambda image: model(image, training=False)).get_concrete_function(spec)


def representative_dataset(images: np.ndarray) -> Callable[[], Iterable[list[np.ndarray]]]:
    """A converter representative_dataset yielding uint8 frames (N, H, W) one by one, normalized as in training."""
    inputs = to_model_input(images)

    def generate():
        for frame in inputs:
            yield [frame[None]]

    return generate


def to_tflite(model: keras.Model, variant: str, representative: np.ndarray | None = None) -> bytes:
    """Convert ``model`` (a plain float model, or a TFMOT quantize-wrapped one for ``qat``) to TFLite bytes.

    ``representative`` (uint8 frames) is required for ``int8``: its frames set every activation range.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    converter = tf.lite.TFLiteConverter.from_concrete_functions([_fixed_batch_function(model)], model)
    if variant != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if variant == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if variant == "int8":
        if representative is None or len(representative) == 0:
            raise ValueError("int8 post-training quantization needs representative frames")
        converter.representative_dataset = representative_dataset(representative)
        # Fail at conversion rather than silently keeping float fallbacks for an op without int8 kernels.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if variant in INT8_VARIANTS:
        # QAT needs no representative data (ranges come from its FakeQuant ops); setting supported_ops
        # to INT8-only would make the converter demand one, so only the I/O types are pinned here.
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()
