"""DICOM cine loops as scanners write them: pixel encodings, colour, frame rates, regions and spacing."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.convert import convert_clip
from lvseg.datasets.scanner.dicom import open_dicom, stated_fps
from lvseg.datasets.scanner.synthetic import write_us_dicom
from lvseg.datasets.video import VideoError


def small_loop(path, frames: int = 3, colour: bool = False, syntax=ExplicitVRLittleEndian, **kwargs) -> str:
    rng = np.random.default_rng(0)
    shape = (48, 64, 3) if colour else (48, 64)
    data = [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(frames)]
    write_us_dicom(str(path), iter(data), frames, syntax, **kwargs)
    return str(path)


def test_scanner_ybr_full_422_jpeg_loop_from_pydicoms_own_test_files():
    """A real SonoSite apical four-chamber loop (320x240, 30 frames, JPEG baseline YBR_FULL_422)."""
    converted = convert_clip(get_testdata_file("examples_ybr_color.dcm"))
    assert converted.frames.shape == (30, 112, 112)
    assert converted.fps == pytest.approx(1000 / 33.333) and converted.fps_origin == "DICOM FrameTime"
    sector = converted.mapping.sector
    assert 70 <= sector.angle_deg <= 100 and 150 <= sector.apex[0] <= 190  # an apical fan, apex top centre
    # The fan covers EchoNet's share of the square (55-72 % there).
    assert 0.55 <= converted.mapping.mask112.mean() <= 0.8
    assert converted.frames[:, converted.mapping.mask112].mean() > 10
    # Its region says 512x384 pixels of a frame that was shrunk to 320x240 afterwards: not trusted.
    assert converted.mapping.spacing is None and "does not fit" in converted.mapping.spacing_note


def test_rgb_and_ybr_pixels_decode_to_the_same_grey(tmp_path):
    frames = [np.full((40, 40, 3), (200, 120, 40), np.uint8), np.full((40, 40, 3), (30, 60, 90), np.uint8)]
    write_us_dicom(str(tmp_path / "rgb.dcm"), iter(frames), 2, ExplicitVRLittleEndian)
    write_us_dicom(str(tmp_path / "ybr.dcm"), iter(frames), 2, JPEGBaseline8Bit, quality=100)
    rgb = list(open_dicom(str(tmp_path / "rgb.dcm")).frames())
    ybr = list(open_dicom(str(tmp_path / "ybr.dcm")).frames())
    assert pydicom.dcmread(tmp_path / "ybr.dcm").PhotometricInterpretation == "YBR_FULL_422"
    assert (rgb[0] == frames[0]).all()
    for got, want in zip(ybr, frames):
        assert np.abs(got.astype(int) - want).max() <= 3  # decoded back to RGB, not left as YCbCr


def test_palette_colour_goes_through_its_lookup_table(tmp_path):
    """pydicom's palette-colour ultrasound image, made a two-frame loop."""
    ds = pydicom.dcmread(get_testdata_file("examples_palette.dcm"))
    ds.NumberOfFrames = 2
    ds.PixelData = ds.PixelData * 2
    ds.FrameTime = "40"
    ds.save_as(tmp_path / "palette.dcm")
    frames = list(open_dicom(str(tmp_path / "palette.dcm")).frames())
    assert len(frames) == 2 and frames[0].shape == (350, 800, 3) and frames[0].dtype == np.uint8
    index = ds.pixel_array[0][100, 400]
    want = [ds.RedPaletteColorLookupTableData, ds.GreenPaletteColorLookupTableData,
            ds.BluePaletteColorLookupTableData]
    lut = [np.frombuffer(w, "<u2")[index] >> 8 for w in want]
    assert list(frames[0][100, 400]) == lut


def test_monochrome1_is_inverted(tmp_path):
    path = small_loop(tmp_path / "m1.dcm")
    ds = pydicom.dcmread(path)
    ds.PhotometricInterpretation = "MONOCHROME1"
    ds.save_as(path)
    plain = pydicom.dcmread(path).pixel_array[0]
    assert (next(open_dicom(path).frames()) == 255 - plain).all()


@pytest.mark.parametrize("attributes, fps, origin", [
    ({"FrameTime": "20"}, 50.0, "DICOM FrameTime"),
    ({"FrameTimeVector": ["0", "25", "25", "25"]}, 40.0, "DICOM FrameTimeVector"),
    ({"CineRate": "30"}, 30.0, "DICOM CineRate"),
    ({"RecommendedDisplayFrameRate": "24"}, 24.0, "DICOM RecommendedDisplayFrameRate"),
], ids=lambda v: str(v))
def test_frame_rate_comes_from_the_header(tmp_path, attributes, fps, origin):
    path = small_loop(tmp_path / "rate.dcm", frames=4, fps=None)
    ds = pydicom.dcmread(path)
    for name, value in attributes.items():
        setattr(ds, name, value)
    ds.save_as(path)
    assert stated_fps(pydicom.dcmread(path)) == (pytest.approx(fps), origin)
    source = open_dicom(path, fallback_fps=99.0)  # the file's own rate wins over the caller's fallback
    assert source.fps == pytest.approx(fps) and source.fps_origin == origin


def test_no_frame_rate_needs_the_callers(tmp_path):
    path = small_loop(tmp_path / "norate.dcm", fps=None)
    with pytest.raises(VideoError) as err:
        open_dicom(path)
    assert err.value.reason is RejectReason.NO_FRAME_RATE
    source = open_dicom(path, fallback_fps=25.0)
    assert (source.fps, source.fps_origin) == (25.0, "caller")


def test_spacing_from_the_bmode_region_or_pixel_spacing(tmp_path):
    path = small_loop(tmp_path / "region.dcm", spacing_cm=0.03, region=(4, 2, 60, 46))
    source = open_dicom(path)
    assert (source.spacing.x_mm, source.spacing.y_mm) == (pytest.approx(0.3), pytest.approx(0.3))
    assert source.bmode_box == (4, 2, 60, 46)
    path = small_loop(tmp_path / "pixelspacing.dcm")
    ds = pydicom.dcmread(path)
    ds.PixelSpacing = ["0.4", "0.5"]  # row spacing (y), column spacing (x)
    ds.save_as(path)
    source = open_dicom(path)
    assert (source.spacing.x_mm, source.spacing.y_mm, source.spacing.origin) == (0.5, 0.4, "DICOM PixelSpacing")
    bare = open_dicom(small_loop(tmp_path / "bare.dcm"))
    assert bare.spacing is None and bare.spacing_note


def test_frames_are_read_lazily_and_by_index(tmp_path):
    path = small_loop(tmp_path / "lazy.dcm", frames=5)
    whole = pydicom.dcmread(path).pixel_array
    source = open_dicom(path)
    got = list(source.frames([1, 4]))
    assert len(got) == 2 and (got[0] == whole[1]).all() and (got[1] == whole[4]).all()
