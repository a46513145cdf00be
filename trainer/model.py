"""The U-Net builder (one readable function) and the two presets.

A U-Net here: ``depth`` encoder levels of two 3x3 conv-BN-ReLU blocks and a 2x2 max-pool, a bottleneck,
and a mirrored decoder that upsamples (transposed conv or bilinear upsampling + conv), concatenates the
skip connection and applies two conv blocks. Only layers TFMOT can quantize are used (no Lambda).
"""

from __future__ import annotations

from trainer.backend import keras

PRESETS: dict[str, dict] = {
    # The study's U-Net: 64 filters doubling to 1024 at the bottleneck (about 31 M parameters).
    "paper": {"filters": (64, 128, 256, 512, 1024), "dropout": 0.2, "batch_norm": True, "upsampling": "transpose"},
    # Made for int8 on a handheld: under 1 M parameters and 1 GFLOP per 112x112 frame.
    "compact": {"filters": (12, 24, 48, 96, 128), "dropout": 0.1, "batch_norm": True, "upsampling": "bilinear"},
}


def conv_block(x, filters: int, batch_norm: bool, name: str):
    """Two 3x3 convolutions, each followed by batch norm (directly, as TFMOT requires) and ReLU."""
    for i in (1, 2):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.ReLU(name=f"{name}_relu{i}")(x)
    return x


def build_unet(input_shape: tuple[int, int, int] = (112, 112, 1), filters: tuple[int, ...] = (12, 24, 48, 96, 128),
               out_channels: int = 1, dropout: float = 0.1, batch_norm: bool = True,
               upsampling: str = "bilinear", name: str = "unet") -> keras.Model:
    """A U-Net with len(filters) - 1 pooling levels; filters[-1] is the bottleneck width.

    Output: ``out_channels`` sigmoid maps at the input resolution (mask probability or heatmaps), in
    float32 even under mixed precision.
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
    outputs = keras.layers.Conv2D(out_channels, 1, activation="sigmoid", dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def build_preset(preset: str, out_channels: int, dropout: float | None = None) -> keras.Model:
    """A U-Net from a named preset (``paper`` or ``compact``)."""
    params = dict(PRESETS[preset])
    if dropout is not None:
        params["dropout"] = dropout
    return build_unet(out_channels=out_channels, name=f"unet_{preset}", **params)


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
