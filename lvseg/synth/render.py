"""Render a clip: label map per frame -> B-mode simulation and/or domain randomization -> display.

Each frame's label map is drawn on a raster ``RASTER_K`` times finer than the output (lvseg.synth.labels);
the B-mode image (lvseg.synth.bmode) is simulated on the sector's polar grid and scan-converted, the
domain-randomized one (lvseg.synth.randomize) is drawn from the same label raster; the clip's Look
decides the mix (``mode_weight``: 0 = B-mode only, 1 = randomized only, else a blend). Overlays and
the black outside the sector come last (lvseg.synth.display). Everything static is precomputed per clip;
frames are rendered one at a time so memory stays flat for long clips.
"""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from lvseg.synth import bmode, display
from lvseg.synth.labels import Extras, FrameAnatomy, label_map
from lvseg.synth.randomize import make_randomizer, randomized_image
from lvseg.synth.style import Look

RASTER_K = 2


def render_clip(anatomy: Callable[[int], FrameAnatomy], frames: int, look: Look, extras: Extras,
                rng: np.random.Generator, shape: tuple[int, int] = (112, 112), raster_k: int = RASTER_K,
                r_waves: np.ndarray | None = None, keep_labels: bool = False
                ) -> tuple[np.ndarray, list[np.ndarray]]:
    """uint8 (T, H, W) frames of ``anatomy(t)`` for t < frames, and (when asked) each frame's label raster.

    ``r_waves`` (frames of every end-diastole, at least two) places the ECG trace's R waves.
    """
    raster = (shape[0] * raster_k, shape[1] * raster_k)
    probe = bmode.make_probe(look, frames, raster_k, rng)
    screen = display.make_screen(look, probe.r, probe.theta, shape, rng)
    weight = look.mode_weight
    randomizer = make_randomizer(look, raster, raster_k, rng) if weight > 0 else None
    out = np.zeros((frames, *shape), np.uint8)
    kept = []
    for t in range(frames):
        labels = label_map(anatomy(t), extras, raster, raster_k)
        image = np.zeros(shape, np.float32)
        if weight < 1:
            image += np.float32(1 - weight) * display.scan_convert(screen, bmode.simulate(probe, labels, t, rng))
        if randomizer is not None:
            image += np.float32(weight) * randomized_image(randomizer, labels, t, shape, rng)
        # the display's noise floor: a few grey levels, fresh every frame, grainy enough to survive JPEG
        grain = cv2.GaussianBlur(rng.standard_normal(shape, dtype=np.float32), (0, 0), 0.8)
        image += np.abs(grain) * np.float32(look.floor / 255.0 / 0.35)
        overlay = None
        if screen.ecg is not None and r_waves is not None:
            overlay = np.zeros(shape, np.float32)
            display.draw_ecg(overlay, screen, t, r_waves)
        out[t] = display.finish(screen, image, overlay)
        if keep_labels:
            kept.append(labels)
    return out, kept
