"""Video files and folders of stills, the sampling plan and the mapping's edge cases."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from lvseg.datasets.scanner.convert import convert_clip, sample_indices
from lvseg.datasets.scanner.image_folder import frame_files
from lvseg.datasets.scanner.reader import open_clip
from lvseg.datasets.scanner.source import Spacing


def stills_mapping(clip, tmp_path):
    """The mapping of 8 screen frames saved as PNG files (no spacing, the caller's frame rate)."""
    folder = tmp_path / "stills"
    folder.mkdir()
    for i, frame in enumerate(clip.screen_frames()[:8]):
        cv2.imwrite(str(folder / f"{i}.png"), frame)
    return convert_clip(str(folder), fallback_fps=25.0).mapping


def test_folder_of_frames_in_natural_order(tmp_path, clip):
    frames = clip.screen_frames()
    for i, frame in enumerate(frames):  # frame2.png must come before frame10.png
        cv2.imwrite(str(tmp_path / f"frame{i}.{'png' if i % 2 else 'jpg'}"), frame, [cv2.IMWRITE_JPEG_QUALITY, 100])
    (tmp_path / "notes.txt").write_text("ignored")
    assert [p.rsplit("/", 1)[-1] for p in frame_files(str(tmp_path))][:3] == ["frame0.jpg", "frame1.png", "frame2.jpg"]
    converted = convert_clip(str(tmp_path), fallback_fps=clip.fps)
    assert converted.fps_origin == "caller" and len(converted.frames) == len(frames)
    assert converted.mapping.crop == (clip.screen.x0, clip.screen.y0, clip.screen.side)


def test_video_frames_by_index_match_a_full_read(tmp_path, clip):
    path = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (clip.screen.width, clip.screen.height))
    for frame in clip.screen_frames()[:6]:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    source = open_clip(path)
    assert (source.kind, source.rows, source.columns, source.frame_count, source.fps) == ("video", 480, 640, 6, 30.0)
    everything = list(source.frames())
    picked = list(source.frames([1, 5]))
    assert everything[0].shape == (480, 640, 3)
    assert (picked[0] == everything[1]).all() and (picked[1] == everything[5]).all()


def test_sample_indices():
    assert sample_indices(3) == [0, 1, 2]
    spread = sample_indices(1800)
    assert len(spread) == 48 and spread[0] == 0 and spread[-1] == 1799
    assert sample_indices(None)[:3] == [0, 4, 8]


def test_mapping_without_square_pixels_gives_no_length(tmp_path, clip):
    mapping = stills_mapping(clip, tmp_path)
    assert mapping.mm_per_pixel is None and mapping.area_cm2(100) is None and mapping.spacing_note
    skewed = dataclasses.replace(mapping, spacing=Spacing(0.1, 0.2, "test"))
    assert skewed.mm_per_pixel is None and skewed.length_cm(10) is None
    assert skewed.area_cm2(100) == pytest.approx(100 * 0.1 * 0.2 / mapping.scale ** 2 / 100)
    square = dataclasses.replace(mapping, spacing=Spacing(0.1, 0.1, "test"))
    assert square.mm_per_pixel == pytest.approx(0.1 * 392 / 112)


def test_to_original_places_the_mask_in_the_crop(clip, tmp_path):
    mapping = stills_mapping(clip, tmp_path)
    mask = np.zeros((112, 112), np.uint8)
    mask[56:, :56] = 1  # the lower left quarter
    big = mapping.to_original(mask)
    x0, y0, side = mapping.crop
    assert big.sum() == pytest.approx((side / 2) ** 2, rel=0.01)
    ys, xs = np.nonzero(big)
    assert (xs.min(), ys.max() + 1) == (x0, y0 + side)
    # A crop that leaves the frame is cut, not wrapped.
    out = dataclasses.replace(mapping, crop=(-100, 300, 392)).to_original(np.ones((112, 112), np.uint8))
    assert out.shape == (480, 640) and out.sum() == 292 * 180
