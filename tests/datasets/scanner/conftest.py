"""A synthetic EchoNet clip on a 640x480 scanner screen, and ways to write it as scanners do."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from lvseg.datasets.scanner.synthetic import Screen, screen_frame
from lvseg.synth.clips import MM_PER_PIXEL, render_video
from lvseg.synth.display import sector_mask
from lvseg.synth.plan import VideoPlan, appearance, plan_video

# A plan whose fan spans the whole 112x112 frame (apex above it, arc below it, both sides cut), so the
# EchoNet rule's square is exactly the square the clip was pasted into.
PLAN = dict(seed=0, index=8, min_frames=24, max_frames=32)


@dataclass(frozen=True)
class Clip:
    plan: VideoPlan
    frames: np.ndarray      # (T, 112, 112) grey uint8, as lvseg.synth renders it
    fan: np.ndarray         # (112, 112) bool: the true sector
    fps: int
    screen: Screen

    @property
    def screen_mm(self) -> float:
        """mm per screen pixel: the synthetic clip's 1.25 mm per 112-px pixel, enlarged."""
        return self.screen.mm_per_screen_pixel(MM_PER_PIXEL)

    def screen_frames(self, colour: bool = False) -> list[np.ndarray]:
        return [screen_frame(f, i, self.screen, colour) for i, f in enumerate(self.frames)]


@pytest.fixture(scope="session")
def clip() -> Clip:
    plan = plan_video(PLAN["seed"], PLAN["index"], min_frames=PLAN["min_frames"], max_frames=PLAN["max_frames"])
    frames, _ = render_video(plan, split="TEST")
    look, _ = appearance(plan, "train", training=False)
    fan = sector_mask(look, frames.shape[1:]) > 0.5
    return Clip(plan, frames, fan, int(plan.timing.fps), Screen())
