"""lvseg.datasets.avi and decoding: a frame the file ends inside is never returned, however OpenCV decodes it."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from lvseg.datasets.avi import complete_frames
from lvseg.datasets.echonet import iter_dataset
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.video import _decode_file, decode_bytes
from tests.datasets.factory import Dataset, write_avi

FRAMES = 8


@pytest.fixture(scope="module")
def avi(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("avi") / "v.avi"
    write_avi(path, frames=FRAMES)
    return path.read_bytes()


def chunk_starts(data: bytes) -> list[int]:
    """Offsets of the frame chunks ('00dc') of an OpenCV-written AVI (they follow each other in 'movi')."""
    offset = data.index(b"movi") + 4
    starts = []
    while data[offset:offset + 4] == b"00dc":
        starts.append(offset)
        size = struct.unpack_from("<I", data, offset + 4)[0]
        offset += 8 + size + (size & 1)
    return starts


def test_a_whole_file_has_every_frame_complete(avi):
    assert complete_frames(avi) == FRAMES == len(chunk_starts(avi))
    assert len(decode_bytes(avi)[0]) == FRAMES


@pytest.mark.parametrize("into", [0.1, 0.5, 0.95])
def test_a_cut_inside_the_last_frame_drops_it(avi, into, tmp_path):
    start = chunk_starts(avi)[-1]
    size = struct.unpack_from("<I", avi, start + 4)[0]
    cut = avi[:start + 8 + int(size * into)]
    assert complete_frames(cut) == FRAMES - 1
    frames, _ = decode_bytes(cut)
    assert len(frames) == FRAMES - 1
    np.testing.assert_array_equal(frames, decode_bytes(avi)[0][:FRAMES - 1])


def test_opencv_alone_would_keep_a_garbage_frame(avi, tmp_path):
    """Why the container is read at all: cut 95 % into the last frame, FFmpeg still returns it."""
    start = chunk_starts(avi)[-1]
    size = struct.unpack_from("<I", avi, start + 4)[0]
    path = tmp_path / "cut.avi"
    path.write_bytes(avi[:start + 8 + int(size * 0.95)])
    assert len(_decode_file(str(path))[0]) == FRAMES


def test_a_damaged_jpeg_end_stops_the_count_there(avi):
    starts = chunk_starts(avi)
    size = struct.unpack_from("<I", avi, starts[3] + 4)[0]
    broken = bytearray(avi)
    end = starts[3] + 8 + size
    broken[end - 2:end] = b"\x00\x00"  # frame 3 loses its EOI marker
    assert complete_frames(bytes(broken)) == 3


def test_what_is_not_an_avi_is_not_judged():
    assert complete_frames(b"") is None and complete_frames(b"RIFF\x00\x00\x00\x00WAVE") is None
    assert complete_frames(b"RIFF\x04\x00\x00\x00AVI ") is None  # no movi list at all


def test_a_video_cut_inside_its_last_frame_is_rejected_not_written(tmp_path):
    ds = Dataset(tmp_path, n=2)

    def cut_last_frame(root):
        data = ds.video_path(0).read_bytes()
        start = chunk_starts(data)[-1]
        ds.video_path(0).write_bytes(data[:start + 8 + 3 * struct.unpack_from("<I", data, start + 4)[0] // 4])
    ds.after_write.append(cut_last_frame)
    rejects = [r for r in iter_dataset(ds.write()) if isinstance(r, Reject)]
    assert [(r.video_id, r.reason) for r in rejects] == [(ds.names[0], RejectReason.VIDEO_TRUNCATED)]
    assert "9 of 10" in rejects[0].detail
