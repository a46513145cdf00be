"""A synthetic EchoNet clip shown on a 640x480 scanner screen comes back as the same 112x112 clip.

The clip is enlarged 3.5x (cubic) into the screen beside text, an ECG trace and depth dots, written as
scanners write it, and converted by the EchoNet rule. Measured (uncompressed or lossless pixel data): mean
absolute error 0.28 grey levels inside the sector, 99th percentile 1, max 3 (enlarging then shrinking with
cubic interpolation); JPEG baseline at quality 90: 0.71, 3, 5; MJPEG AVI 1.45 and MPEG-4 MP4 2.39 (mean,
OpenCV's default quality). The square is found to the pixel in every case, and the spacing of the 112-px
pixel is the clip's own 1.25 mm.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless, JPEGBaseline8Bit, RLELossless
from scipy import ndimage

from lvseg.datasets.scanner.convert import convert_clip
from lvseg.datasets.scanner.synthetic import write_us_dicom
from lvseg.geometry.mask import disk_volume, tracing_area, tracing_mask
from lvseg.synth.clips import MM_PER_PIXEL

LOSSLESS = (0.4, 3)   # mean and max absolute error inside the sector, grey levels
LOSSY = (1.0, 8)


def write(clip, path, syntax, colour: bool = False, **kwargs) -> str:
    """The clip's screen as a DICOM loop with its B-mode region, spacing and frame time (``kwargs`` override)."""
    screen = clip.screen
    region = (screen.x0, screen.y0, screen.x0 + screen.side, screen.y0 + screen.side)
    options = dict(fps=clip.fps, spacing_cm=clip.screen_mm / 10.0, region=region) | kwargs
    frames = clip.screen_frames(colour)
    write_us_dicom(str(path), iter(frames), len(frames), syntax, **options)
    return str(path)


def errors(clip, converted) -> np.ndarray:
    inner = ndimage.binary_erosion(clip.fan, iterations=2)  # the sector's 1-2 px rim depends on its exact mask
    return np.abs(converted.frames.astype(int) - np.where(clip.fan, clip.frames, 0))[:, inner]


@pytest.mark.parametrize("syntax, bound", [(ExplicitVRLittleEndian, LOSSLESS), (RLELossless, LOSSLESS),
                                           (JPEG2000Lossless, LOSSLESS), (JPEGBaseline8Bit, LOSSY)],
                         ids=lambda v: getattr(v, "name", ""))
def test_dicom_round_trip(clip, tmp_path, syntax, bound):
    converted = convert_clip(write(clip, tmp_path / "loop.dcm", syntax))
    screen = clip.screen
    assert converted.mapping.crop == (screen.x0, screen.y0, screen.side)
    assert converted.frames.shape == clip.frames.shape and converted.frames.dtype == np.uint8
    assert converted.fps == pytest.approx(clip.fps, rel=1e-4) and converted.fps_origin == "DICOM FrameTime"
    err = errors(clip, converted)
    assert err.mean() < bound[0] and err.max() <= bound[1]
    # Everything outside the sector (the synthetic clip's own ECG and depth dots too) is black.
    assert (converted.frames[:, ~converted.mapping.mask112] == 0).all()
    assert (converted.mapping.mask112 != clip.fan).mean() < 0.01


def test_colour_screen_round_trip(clip, tmp_path):
    """An RGB screen (green ECG, a green marker by the apex) stored as YBR_FULL_422 JPEG is still B-mode."""
    converted = convert_clip(write(clip, tmp_path / "rgb.dcm", JPEGBaseline8Bit, colour=True))
    assert converted.mapping.crop == (clip.screen.x0, clip.screen.y0, clip.screen.side)
    err = errors(clip, converted)
    assert err.mean() < LOSSY[0] and err.max() <= LOSSY[1] + 4  # chroma subsampling adds to the luma error


def test_physical_units_survive(clip, tmp_path):
    converted = convert_clip(write(clip, tmp_path / "loop.dcm", ExplicitVRLittleEndian))
    mapping = converted.mapping
    assert mapping.mm_per_pixel == pytest.approx(MM_PER_PIXEL, rel=1e-6)
    ed = clip.plan.tracing(clip.plan.timing.ed_frame)
    assert mapping.volume_ml(ed) == pytest.approx(disk_volume(ed, MM_PER_PIXEL), rel=1e-6)
    area_cm2 = tracing_area(ed) * MM_PER_PIXEL ** 2 / 100.0
    assert mapping.area_cm2(tracing_area(ed)) == pytest.approx(area_cm2, rel=1e-6)
    long_axis = float(np.linalg.norm(np.subtract(*ed.long_axis)))
    assert mapping.length_cm(long_axis) == pytest.approx(long_axis * MM_PER_PIXEL / 10.0, rel=1e-6)
    # The LV mask drawn back on the screen covers the same physical area (within its rim's rounding).
    big = mapping.to_original(tracing_mask(ed))
    assert big.shape == (clip.screen.height, clip.screen.width)
    screen_area_cm2 = big.sum() * (clip.screen_mm / 10.0) ** 2
    assert screen_area_cm2 == pytest.approx(tracing_mask(ed).sum() * MM_PER_PIXEL ** 2 / 100.0, rel=0.03)
    ys, xs = np.nonzero(big)
    apex = mapping.points_to_original(np.array([ed.long_axis[0]]))[0]
    assert xs.min() <= apex[0] <= xs.max() and ys.min() - 3 <= apex[1] <= ys.max()


def test_avi_and_mp4_round_trip(clip, tmp_path):
    import cv2

    # Mean error inside the sector at the codecs' default quality: measured 1.45 (MJPEG), 2.39 (MPEG-4 part 2).
    for name, fourcc, bound in (("clip.avi", "MJPG", 2.0), ("clip.mp4", "mp4v", 3.0)):
        path = str(tmp_path / name)
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*fourcc), float(clip.fps),
                                 (clip.screen.width, clip.screen.height), True)
        for frame in clip.screen_frames():
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
        writer.release()
        converted = convert_clip(path)
        assert converted.fps == pytest.approx(clip.fps) and converted.fps_origin == "the video container"
        assert converted.mapping.spacing is None and converted.mapping.mm_per_pixel is None
        assert converted.mapping.volume_ml(clip.plan.tracing(0)) is None
        assert converted.mapping.crop == (clip.screen.x0, clip.screen.y0, clip.screen.side), name
        assert errors(clip, converted).mean() < bound, name
