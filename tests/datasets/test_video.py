"""lvseg.datasets.video: AVI decoding to grey frames, from a file or from bytes, and the named failures."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError, decode_bytes, load_video
from tests.datasets.factory import write_avi


def test_file_and_bytes_decode_to_the_same_grey_frames(tmp_path):
    path = tmp_path / "v.avi"
    write_avi(path, frames=6)
    frames, fps, data = load_video(str(path))
    assert frames.shape == (6, 112, 112) and frames.dtype == np.uint8 and fps == 50.0
    assert data == path.read_bytes()
    again, again_fps = decode_bytes(data)
    np.testing.assert_array_equal(again, frames)
    assert again_fps == fps
    assert frames[0, 56, 56] > 150 and frames[0, 2, 2] < 20  # the bright disc on black, as drawn


@pytest.mark.parametrize("content,reason", [(None, RejectReason.VIDEO_MISSING), (b"", RejectReason.VIDEO_EMPTY),
                                            (b"RIFF" + bytes(300), RejectReason.VIDEO_UNDECODABLE)])
def test_unusable_files_raise_the_reason_that_names_them(tmp_path, content, reason):
    path = tmp_path / "bad.avi"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VideoError) as caught:
        load_video(str(path))
    assert caught.value.reason == reason


def set_header(path, **fields) -> None:
    """Rewrite fields of a real AVI's stream header in place: rate/scale (strh) and width/height (strf)."""
    import struct

    data = bytearray(path.read_bytes())
    strh, strf = data.find(b"strh") + 8, data.find(b"strf") + 8
    offsets = {"scale": (strh + 20, "<I"), "rate": (strh + 24, "<I"), "length": (strh + 32, "<I"),
               "width": (strf + 4, "<i"), "height": (strf + 8, "<i")}
    for name, value in fields.items():
        struct.pack_into(offsets[name][1], data, offsets[name][0], value)
    path.write_bytes(bytes(data))


def load(path):
    from lvseg.datasets.video import load_or_reject

    return load_or_reject(path.stem, str(path))


@pytest.mark.parametrize("fields, reason, detail", [
    ({"width": 30000, "height": 20000}, RejectReason.FRAMES_TOO_LARGE, "20000x30000"),
    ({"width": 160, "height": 120}, RejectReason.UNSUPPORTED_FRAME_SIZE, "120x160"),
    ({"length": 4_000_000_000}, RejectReason.FRAMES_TOO_LARGE, "4000000000 frames (limit 20000)"),
    ({"length": 9}, RejectReason.VIDEO_TRUNCATED, "6 of 9 frames"),
])
def test_the_header_is_judged_before_any_frame_is_decoded(tmp_path, monkeypatch, fields, reason, detail):
    import lvseg.datasets.video as video

    path = tmp_path / "v.avi"
    write_avi(path, frames=6)
    set_header(path, **fields)
    if reason is not RejectReason.VIDEO_TRUNCATED:  # these must be refused with no decoding at all
        monkeypatch.setattr(video, "_decode_file", lambda *a: pytest.fail("decoded"))
    rejected = load(path)
    assert (rejected.reason, detail in rejected.detail) == (reason, True), rejected


def test_a_half_copied_avi_is_truncated_without_a_filelist(tmp_path):
    """A copy cut at a frame boundary still has its whole header: it states more frames than it holds."""
    path = tmp_path / "v.avi"
    write_avi(path, frames=10)
    data = path.read_bytes()
    from tests.datasets.test_avi import chunk_starts

    path.write_bytes(data[:chunk_starts(data)[6]])  # six whole frames, then the copy stopped
    rejected = load(path)
    assert rejected.reason is RejectReason.VIDEO_TRUNCATED and rejected.detail.startswith("6 of 10 frames")


@pytest.mark.parametrize("codec", ["XVID", "FFV1", "mp4v"])
def test_other_codecs_that_opencv_decodes_are_read(tmp_path, codec):
    path = tmp_path / "v.avi"
    write_avi(path, frames=6, codec=codec)
    frames, fps, _ = load(path)
    assert frames.shape == (6, 112, 112) and fps == 50.0


def test_a_missing_or_absurd_frame_rate_is_not_replaced_by_a_default(tmp_path):
    from lvseg.datasets.limits import fps_problem

    path = tmp_path / "v.avi"
    write_avi(path, frames=6)
    set_header(path, rate=0)
    assert load(path)[1] == 0.0 and fps_problem(load(path)[1]) == "no frame rate"
    set_header(path, rate=1_000_000, scale=1)
    assert fps_problem(load(path)[1]) == "a frame rate of 1e+06 outside 1-1000 fps"
