"""Bad scanner input is a named reject (VideoError with its RejectReason), never a traceback."""

from __future__ import annotations

import cv2
import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import MPEG4HP41, ExplicitVRLittleEndian, JPEGBaseline8Bit

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.convert import convert_clip
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.synthetic import add_colour_flow, write_us_dicom
from lvseg.datasets.video import VideoError


def reason(path, **kwargs) -> RejectReason:
    with pytest.raises(VideoError) as err:
        convert_clip(str(path), **kwargs)
    assert err.value.detail  # every reject says what was wrong
    return err.value.reason


def grey_loop(path, frames, syntax=ExplicitVRLittleEndian, **kwargs) -> str:
    write_us_dicom(str(path), iter(frames), len(frames), syntax, **kwargs)
    return str(path)


def test_dicom_without_pixel_data(tmp_path, clip):
    path = grey_loop(tmp_path / "a.dcm", clip.screen_frames()[:2])
    ds = pydicom.dcmread(path)
    del ds.PixelData
    ds.save_as(path)
    assert reason(path) is RejectReason.DICOM_NO_PIXEL_DATA


def test_structured_report():
    assert reason(get_testdata_file("test-SR.dcm")) is RejectReason.DICOM_STRUCTURED_REPORT


def test_single_frame_ultrasound_image():
    assert reason(get_testdata_file("examples_palette.dcm")) is RejectReason.DICOM_NOT_A_CINE


def test_unsupported_transfer_syntax(tmp_path, clip):
    path = grey_loop(tmp_path / "mpeg4.dcm", clip.screen_frames()[:2])
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = MPEG4HP41  # an H.264 video stream: no pydicom decoder
    ds.PixelData = encapsulate([b"\x00\x00\x00\x01\x67" + bytes(59)])
    ds["PixelData"].VR = "OB"
    ds.save_as(path)
    assert reason(path) is RejectReason.UNSUPPORTED_TRANSFER_SYNTAX


def test_colour_doppler_loop_from_its_pixels(tmp_path, clip):
    frames = [add_colour_flow(f, clip.screen, i) for i, f in enumerate(clip.screen_frames(colour=True))]
    assert reason(grey_loop(tmp_path / "cfm.dcm", frames, JPEGBaseline8Bit)) is RejectReason.COLOUR_DOPPLER
    video = str(tmp_path / "cfm.avi")
    writer = cv2.VideoWriter(video, cv2.VideoWriter.fourcc(*"MJPG"), 50.0, (clip.screen.width, clip.screen.height))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    assert reason(video) is RejectReason.COLOUR_DOPPLER


def test_colour_flow_and_trace_only_regions(tmp_path, clip):
    frames = clip.screen_frames()[:2]
    region = (0, 0, clip.screen.width, clip.screen.height)
    assert reason(grey_loop(tmp_path / "flow.dcm", frames, region=region, data_type=2)) is RejectReason.COLOUR_DOPPLER
    path = grey_loop(tmp_path / "pw.dcm", frames, region=region)
    ds = pydicom.dcmread(path)
    ds.SequenceOfUltrasoundRegions[0].RegionSpatialFormat = 3  # spectral Doppler
    ds.SequenceOfUltrasoundRegions[0].RegionDataType = 3
    ds.save_as(path)
    assert reason(path) is RejectReason.NOT_B_MODE


@pytest.mark.parametrize("kind", ["static", "noise", "square"])
def test_no_sector_found(tmp_path, clip, kind):
    rng = np.random.default_rng(1)
    if kind == "static":  # a frozen image: nothing moves
        frames = [clip.screen_frames()[0]] * 4
    elif kind == "noise":  # the whole screen flickers: no edges that meet in an apex
        frames = [rng.integers(0, 255, (120, 160), dtype=np.uint8) for _ in range(4)]
    else:  # a linear probe's rectangle
        frames = [np.pad(rng.integers(20, 255, (80, 60), dtype=np.uint8), ((20, 20), (50, 50))) for _ in range(4)]
    assert reason(grey_loop(tmp_path / f"{kind}.dcm", frames, fps=30.0)) is RejectReason.NO_SECTOR_FOUND


def test_no_frame_rate_anywhere(tmp_path, clip):
    frames = clip.screen_frames()[:4]
    assert reason(grey_loop(tmp_path / "norate.dcm", frames, fps=None)) is RejectReason.NO_FRAME_RATE
    folder = tmp_path / "stills"
    folder.mkdir()
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame{i}.png"), frame)
    assert reason(folder) is RejectReason.NO_FRAME_RATE


def test_frames_too_large_before_any_frame_is_decoded(tmp_path, clip, monkeypatch):
    path = grey_loop(tmp_path / "big.dcm", clip.screen_frames()[:3])
    import lvseg.datasets.scanner.dicom as dicom

    monkeypatch.setattr(dicom, "iter_pixels", lambda *a, **k: pytest.fail("decoded before the size check"))
    assert reason(path, limits=Limits(max_frame_bytes=640 * 480 - 1)) is RejectReason.FRAMES_TOO_LARGE
    assert reason(path, limits=Limits(max_frames=2)) is RejectReason.FRAMES_TOO_LARGE
    assert reason(path, limits=Limits(max_side=479)) is RejectReason.FRAMES_TOO_LARGE


def test_not_dicom_truncated_missing_and_empty(tmp_path, clip):
    garbage = tmp_path / "x.dcm"
    garbage.write_text("not a DICOM file")
    assert reason(garbage) is RejectReason.VIDEO_UNDECODABLE
    path = grey_loop(tmp_path / "cut.dcm", clip.screen_frames()[:6])
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])  # the copy stopped half way through the pixel data
    assert reason(path) is RejectReason.VIDEO_UNDECODABLE
    assert reason(tmp_path / "missing.avi") is RejectReason.VIDEO_MISSING
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert reason(tmp_path / "empty.mp4") is RejectReason.VIDEO_EMPTY
    (tmp_path / "text.avi").write_text("not a video")
    assert reason(tmp_path / "text.avi") is RejectReason.VIDEO_UNDECODABLE
