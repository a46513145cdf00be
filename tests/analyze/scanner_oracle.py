"""A TEST-ONLY mask model for scanner input: it answers each 112x112 frame with the true LV mask of that frame
as the EchoNet rule brought it there (looked up by the frame's pixels), and has ``predict`` too, so a
TemporalRunner can average its outputs.

The true mask of a pasted clip's frame goes through the same two steps as the frame: enlarged into the screen
square (lvseg.datasets.scanner.synthetic.Screen) and brought back by the clip's EchoNetFrame crop, so its
volume in mL (through the file's spacing) is the clip's own within interpolation error.
"""

from __future__ import annotations

import cv2
import numpy as np

from lvseg.datasets.scanner.framing import SIZE, EchoNetFrame
from lvseg.datasets.scanner.synthetic import Screen
from lvseg.inference.models import ModelInfo, SpecHandler, register_spec_prefix
from tests.oracles import OracleRunner, Truth, add_truth

PREFIX = "scan-oracle:"
SPEC = PREFIX + "truth"


class PredictingOracle(OracleRunner):
    """The truth oracle with raw outputs: 1.0 inside the known mask, 0.0 elsewhere (and for unknown frames)."""

    def predict(self, frames: np.ndarray) -> np.ndarray:
        out = np.zeros((*np.asarray(frames).shape, 1), np.float32)
        for i, frame in enumerate(np.asarray(frames)):
            known = self.truth.get(np.ascontiguousarray(frame, np.uint8).tobytes())
            if known is not None:
                out[i, :, :, 0] = known.mask != 0
        return out


def register(truth: dict[bytes, Truth]) -> None:
    register_spec_prefix(PREFIX, SpecHandler(
        describe=lambda spec: ModelInfo(spec, "scan-oracle", "mask", "", "oracle", "none"),
        load=lambda info: PredictingOracle("truth", truth, "")))


def unregister() -> None:
    register_spec_prefix(PREFIX, None)


def converted_mask(mask: np.ndarray, screen: Screen, mapping: EchoNetFrame) -> np.ndarray:
    """A 112x112 true mask pasted into ``screen`` as the clip was, then brought back by ``mapping``'s crop."""
    canvas = np.zeros((screen.height, screen.width), np.float32)
    big = cv2.resize(np.asarray(mask, np.float32), (screen.side, screen.side), interpolation=cv2.INTER_LINEAR)
    canvas[screen.y0:screen.y0 + screen.side, screen.x0:screen.x0 + screen.side] = big
    x0, y0, side = mapping.crop
    square = np.zeros((side, side), np.float32)
    sx0, sy0 = max(x0, 0), max(y0, 0)
    sx1, sy1 = min(x0 + side, screen.width), min(y0 + side, screen.height)
    square[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = canvas[sy0:sy1, sx0:sx1]
    return (cv2.resize(square, (SIZE, SIZE), interpolation=cv2.INTER_AREA) >= 0.5).astype(np.uint8)


def learn(truth: dict[bytes, Truth], frames: np.ndarray, masks: np.ndarray) -> None:
    """Teach the oracle each frame's mask."""
    for frame, mask in zip(frames, masks):
        add_truth(truth, frame, mask)
