"""Contours of LV masks drawn on grey frames: the one picture every stage shows (report, demo, GIFs).

The truth and the prediction always get the same two colours (a blue / orange pair that stays
distinguishable with red-green colour blindness), so every figure reads the same way. Pure numpy:
a contour is the set of mask pixels with a 4-neighbour outside the mask, drawn after an optional
nearest-neighbour upscale so the line stays thin relative to the frame.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

TRUE_COLOUR = (0, 114, 178)    # blue: the reference tracing
PRED_COLOUR = (230, 159, 0)    # orange: the model's prediction
TRUE_LABEL = "true (reference)"
PRED_LABEL = "predicted"


def hex_colour(rgb: Sequence[int]) -> str:
    """'#rrggbb' of an RGB triple, for HTML legends and matplotlib."""
    return "#" + "".join(f"{int(c):02x}" for c in rgb)


def contour(mask: np.ndarray) -> np.ndarray:
    """Boolean (H, W): pixels of the mask that touch a non-mask 4-neighbour (the frame edge counts as outside)."""
    inside = np.asarray(mask) != 0
    padded = np.pad(inside, 1, constant_values=False)
    interior = (padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
    return inside & ~interior


def upscale(array: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscale of the first two axes by an integer factor."""
    if scale == 1:
        return np.asarray(array)
    return np.repeat(np.repeat(np.asarray(array), scale, axis=0), scale, axis=1)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) from a grey (H, W) or RGB (H, W, 3) frame."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    return np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image.copy()


def draw_contours(image: np.ndarray, layers: Sequence[tuple[np.ndarray | None, Sequence[int]]],
                  scale: int = 1) -> np.ndarray:
    """RGB uint8 (H*scale, W*scale, 3): the frame with each (mask, colour) layer's contour drawn in order.

    A layer whose mask is None is skipped (e.g. no truth on an untraced video frame); later layers
    are drawn over earlier ones where contours cross.
    """
    rgb = upscale(to_rgb(image), scale)
    for mask, colour in layers:
        if mask is None:
            continue
        rgb[contour(upscale(mask, scale))] = np.asarray(colour, dtype=np.uint8)
    return rgb


def overlay(image: np.ndarray, true: np.ndarray | None, pred: np.ndarray | None, scale: int = 1) -> np.ndarray:
    """The standard picture: true contour in TRUE_COLOUR, predicted contour in PRED_COLOUR on top."""
    return draw_contours(image, [(true, TRUE_COLOUR), (pred, PRED_COLOUR)], scale)
