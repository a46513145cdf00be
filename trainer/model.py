"""The U-Net builder (one readable function) and the two presets.

A U-Net here: ``depth`` encoder levels of two 3x3 conv-BN-ReLU blocks and a 2x2 max-pool, a bottleneck,
and a mirrored decoder that upsamples (transposed conv or bilinear upsampling + conv), concatenates the
skip connection and applies two conv blocks. Only layers TFMOT can quantize are used (no Lambda).
"""

from __future__ import annotations

import math

from lvseg.frame import FRAME_SHAPE
from lvseg.tf_backend import keras
from trainer.presets import PRESETS

BN_MOMENTUM = 0.9


def conv_block(x, filters: int, batch_norm: bool, name: str):
    """Two 3x3 convolutions, each followed by batch norm (directly, as TFMOT requires) and ReLU.

    Batch-norm momentum 0.9 (PyTorch's default) rather than Keras's 0.99: with 0.99 the moving
    statistics trail the weights by ~100 steps, and a short run's model, evaluated in inference mode,
    scored far below its training-mode self (heatmap peaks 0.15 instead of 0.8 after 300 steps).
    """
    for i in (1, 2):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn{i}")(x)
        x = keras.layers.ReLU(name=f"{name}_relu{i}")(x)
    return x


def build_unet(input_shape: tuple[int, int, int] = (*FRAME_SHAPE, 1), filters: tuple[int, ...] = (12, 24, 48, 96, 128),
               out_channels: int = 1, dropout: float = 0.1, batch_norm: bool = True,
               upsampling: str = "bilinear", name: str = "unet", output_bias: float = 0.0) -> keras.Model:
    """A U-Net with len(filters) - 1 pooling levels; filters[-1] is the bottleneck width.

    Output: ``out_channels`` sigmoid maps at the input resolution (mask probability or heatmaps), in
    float32 even under mixed precision. ``output_bias`` initializes the final bias: logit(p) starts every
    pixel at the prior probability p instead of 0.5 (see ``prior_logit``).
    """
    if upsampling not in ("transpose", "bilinear"):
        raise ValueError("upsampling must be 'transpose' or 'bilinear'")
    inputs = keras.Input(shape=input_shape, name="image")
    x, skips = inputs, []
    for level, width in enumerate(filters[:-1]):
        x = conv_block(x, width, batch_norm, f"enc{level}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"enc{level}_pool")(x)
    x = conv_block(x, filters[-1], batch_norm, "bottleneck")
    if dropout:
        x = keras.layers.Dropout(dropout, name="bottleneck_dropout")(x)
    for level in reversed(range(len(filters) - 1)):
        width = filters[level]
        if upsampling == "transpose":
            x = keras.layers.Conv2DTranspose(width, 2, strides=2, padding="same", name=f"dec{level}_up")(x)
        else:
            x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"dec{level}_up")(x)
        x = keras.layers.Concatenate(name=f"dec{level}_concat")([x, skips[level]])
        x = conv_block(x, width, batch_norm, f"dec{level}")
    outputs = keras.layers.Conv2D(out_channels, 1, activation="sigmoid", dtype="float32", name="output",
                                  bias_initializer=keras.initializers.Constant(output_bias))(x)
    return keras.Model(inputs, outputs, name=name)


def prior_logit(probability: float) -> float:
    """The output bias that makes an untrained sigmoid output ``probability`` everywhere.

    Heatmap targets are almost all background (a sigma-5 Gaussian averages about 0.0125 over a
    112x112 frame): starting at 0.5 costs hundreds of steps of only pushing the background down.
    """
    p = min(max(probability, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def build_preset(preset: str, out_channels: int, dropout: float | None = None,
                 filters: tuple[int, ...] = (), output_bias: float = 0.0) -> keras.Model:
    """A U-Net from a named preset (``paper`` or ``compact``); ``dropout`` / ``filters`` override the preset's."""
    params = dict(PRESETS[preset], output_bias=output_bias)
    if dropout is not None:
        params["dropout"] = dropout
    if filters:
        params["filters"] = tuple(filters)
    return build_unet(out_channels=out_channels, name=f"unet_{preset}", **params)


def model_size(model: keras.Model) -> dict[str, int]:
    """Parameters (all, trainable) and FLOPs per 112x112 frame: the figures the presets promise."""
    trainable = int(sum(keras.backend.count_params(w) for w in model.trainable_weights))
    return {"params": int(model.count_params()), "trainable_params": trainable, "flops": count_flops(model)}


def count_flops(model: keras.Model) -> int:
    """Multiply-adds x 2 of the conv layers for one input frame (the cost that dominates a U-Net)."""
    flops = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kh, kw = layer.kernel_size
            cin = layer.input_shape[-1]
            _, h, w, cout = layer.output_shape
            if isinstance(layer, keras.layers.Conv2DTranspose):  # each input pixel is scattered once
                h, w = layer.input_shape[1], layer.input_shape[2]
            flops += 2 * kh * kw * cin * cout * h * w
    return flops
