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
