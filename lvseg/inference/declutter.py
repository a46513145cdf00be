"""Static clutter suppression: each frame less a share of what does not move in its clip.

Near-field clutter and reverberation from the chest wall stay put in the image while the heart moves under them.
Inside the cavity a model reads that haze as tissue, and it does so more at one phase than at the other, so the
ES and ED volumes err apart and EF with them (on the held-out haze look the demo's mask model understated EF by
14-17 points at the true ED and ES frames; docs/synthetic_data.md). The clutter floor of a pixel is a low
percentile (FLOOR_PERCENTILE) of its values over the clip's first FLOOR_S seconds, at least one cycle at the
slowest rate considered (40 bpm): blood passing a cavity pixel takes it down to that floor at some frame and a
moving wall does not stay on it, so what the floor holds is what never moves: clutter, and also an ECG trace or
burnt-in text. Every frame then loses ``strength`` times its pixel's floor. A share, not all of it: the apex and
other near-still tissue are in the floor too, and taking it all would erase them.

The floor is held once its span is seen, so a stream (``StreamDeclutter``: frames held for the first FLOOR_S
seconds, then passed on one by one) and a whole clip (``declutter_clip``) give the same frames bit for bit.
"""

from __future__ import annotations

import numpy as np

FLOOR_S = 2.0
FLOOR_PERCENTILE = 5.0
# lvseg analyze's and lvseg stream's default (``--declutter``), chosen on clips of the tuning seed (physiology
# seed 1, train preset, 20 clips in each of six looks; benchmarks/declutter.py) by the EF MAE at the true ED and
# ES frames, for the models lvseg train makes by default (the mask model trained on decluttered frames, the landmark
# model on frames as recorded: trainer.config.DEFAULT_DECLUTTER). Mean over the looks at 0.5 / 0.7 / 0.9 / 1.0:
# mask (two training seeds) 6.85 / 6.52 / 6.41 / 6.40 and 7.18 / 6.73 / 6.46 / 6.40, landmarks 6.80 / 6.50 /
# 6.38 / 6.38. 0.9 and 1.0 are within 0.1; 0.9 leaves a tenth of the floor to near-still tissue such as the
# apex and costs less on heavy trabeculation (walls look: 5.79 / 4.16 / 6.44 against 5.96 / 4.45 / 6.56). A mask
# model trained on frames as recorded was chosen 0.5 for (its B-mode MAE rises above it, and a second training
# seed of it broke down on the hazed look at 0.9); pass --declutter 0.5 for such a model.
DEFAULT_STRENGTH = 0.9


def floor_frames(fps: float) -> int:
    """How many of a clip's first frames its clutter floor is taken over."""
    return max(1, int(round(FLOOR_S * float(fps))))


def clutter_floor(frames: np.ndarray) -> np.ndarray:
    """(H, W) float32: each pixel's FLOOR_PERCENTILE over the (N, H, W) frames."""
    return np.percentile(np.asarray(frames, dtype=np.float32), FLOOR_PERCENTILE, axis=0).astype(np.float32)


def video_floor(frames: np.ndarray, fps: float) -> np.ndarray:
    """(H, W) float32: the clutter floor of a whole (N, H, W) clip, taken over its first floor_frames(fps) frames as
    analyze and stream take it; preprocessing stores it with each traced frame (lvseg.records.schema)."""
    return clutter_floor(np.asarray(frames)[:floor_frames(fps)])


def declutter(frames: np.ndarray, floor: np.ndarray, strength: float) -> np.ndarray:
    """uint8 frames (..., H, W) less ``strength`` times the floor, clipped at 0."""
    lowered = np.asarray(frames, dtype=np.float32) - np.float32(strength) * floor
    return np.clip(lowered, 0.0, 255.0).astype(np.uint8)


def declutter_clip(frames: np.ndarray, fps: float, strength: float) -> np.ndarray:
    """A whole (N, H, W) uint8 clip decluttered, the floor taken over its first floor_frames(fps) frames;
    the frames themselves when ``strength`` is 0."""
    frames = np.asarray(frames)
    if strength <= 0 or not len(frames):
        return frames
    return declutter(frames, video_floor(frames, fps), strength)


class StreamDeclutter:
    """Push (H, W) uint8 frames one at a time: none come out while the floor's span fills, then that span's
    frames and every later one as it comes, decluttered; ``finish`` releases a stream shorter than the span."""

    def __init__(self, fps: float, strength: float) -> None:
        self.strength, self.span = float(strength), floor_frames(fps)
        self._held: list[np.ndarray] = []
        self._floor: np.ndarray | None = None

    def push(self, frame: np.ndarray) -> list[np.ndarray]:
        if self._floor is not None:
            return [declutter(frame, self._floor, self.strength)]
        self._held.append(np.asarray(frame))
        return self._release() if len(self._held) == self.span else []

    def finish(self) -> list[np.ndarray]:
        return self._release() if self._held else []

    def _release(self) -> list[np.ndarray]:
        held, self._held = np.stack(self._held), []
        self._floor = clutter_floor(held)
        return list(declutter(held, self._floor, self.strength))
