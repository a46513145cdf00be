"""benchmarks.scanner: a whole-clip decode the size limit refuses is a table row with its reason and the memory the
whole clip would need, not a crash of the benchmark."""

from __future__ import annotations

import cv2
import numpy as np

from benchmarks import scanner
from lvseg.datasets import limits

FRAMES, HEIGHT, WIDTH = 12, 480, 640


def write_clip(path: str) -> None:
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (WIDTH, HEIGHT), True)
    for i in range(FRAMES):
        writer.write(np.full((HEIGHT, WIDTH, 3), 10 * i, np.uint8))
    writer.release()


def test_a_refused_whole_clip_decode_is_reported_with_what_the_clip_would_need(tmp_path, monkeypatch):
    path = str(tmp_path / "clip.avi")
    write_clip(path)
    assert scanner.whole_clip_mb(path) == FRAMES * HEIGHT * WIDTH / scanner.MB
    assert scanner.run_case("decode-all", path)["refused"] == ""
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 4 * HEIGHT * WIDTH)  # four frames' worth
    result = scanner.run_case("decode-all", path)
    assert result["refused"].startswith("frames_too_large: ") and "after 5 frames" in result["refused"]


def test_a_failing_case_is_a_row_not_a_crash(tmp_path):
    path = tmp_path / "not-a-video.avi"
    path.write_bytes(b"RIFF junk")
    line, ran = scanner.case_line("junk", "convert", str(path))
    assert not ran and line.startswith("junk ") and "failed: " in line
