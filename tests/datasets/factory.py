"""A tiny hand-built EchoNet-layout dataset for reader tests (independent of lvseg.synth).

Each video is a few frames of a bright disc on black; tracings are ellipses of two sizes, listed
ES first for odd videos so the by-area ED rule is exercised.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

from lvseg.datasets.filelist import FILELIST_COLUMNS
from lvseg.datasets.tracings import TRACING_COLUMNS
from tests.shapes import ellipse_tracing

FRAMES = 10


def write_avi(path: Path, frames: int = FRAMES, size: tuple[int, int] = (112, 112), fps: float = 50.0,
              codec: str = "MJPG") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, (size[1], size[0]))
    for i in range(frames):
        frame = np.zeros((*size, 3), np.uint8)
        cv2.circle(frame, (size[1] // 2, size[0] // 2), 20 + i, (200, 200, 200), -1)
        writer.write(frame)
    writer.release()


def filelist_row(name: str, split: str = "TRAIN", frames: int = FRAMES, h: int = 112, w: int = 112) -> dict:
    return {"FileName": name, "EF": "55.5", "ESV": "30.1", "EDV": "67.6", "FrameHeight": str(h),
            "FrameWidth": str(w), "FPS": "50", "NumberOfFrames": str(frames), "Split": split}


def tracing_rows(name: str, frame: int, large: bool) -> list[dict]:
    t = ellipse_tracing(a=30, b=15) if large else ellipse_tracing(a=26, b=10)
    return [{"FileName": name + ".avi", "X1": x1, "Y1": y1, "X2": x2, "Y2": y2, "Frame": frame}
            for x1, y1, x2, y2 in t.rows()]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


class Dataset:
    """A valid dataset of ``n`` videos that tests edit before writing."""

    def __init__(self, root: Path, n: int = 3):
        self.root = Path(root)
        splits = ["TRAIN", "VAL", "TEST"]
        self.names = [f"0X{i:016X}" for i in range(1, n + 1)]
        self.filelist = [filelist_row(name, splits[i % 3]) for i, name in enumerate(self.names)]
        self.tracings = []
        for i, name in enumerate(self.names):
            first, second = (2, 7)
            self.tracings += tracing_rows(name, first, large=i % 2 == 0) + tracing_rows(name, second, large=i % 2 == 1)
        self.videos = {name: FRAMES for name in self.names}
        self.after_write: list = []  # callables (root: Path) -> None: raw edits no dict row can express

    def write(self) -> str:
        (self.root / "Videos").mkdir(parents=True, exist_ok=True)
        write_csv(self.root / "FileList.csv", FILELIST_COLUMNS, self.filelist)
        write_csv(self.root / "VolumeTracings.csv", TRACING_COLUMNS, self.tracings)
        for name, frames in self.videos.items():
            if frames is not None:
                write_avi(self.root / "Videos" / f"{name}.avi", frames)
        for edit in self.after_write:
            edit(self.root)
        return str(self.root)

    def video_path(self, index: int = 0) -> Path:
        return self.root / "Videos" / f"{self.names[index]}.avi"
