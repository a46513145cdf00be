"""Property: whatever is done to the AVI bytes and file names of a plain folder, the analysis's input side
(lvseg.datasets.video_plan, then lvseg.datasets.video.load_or_reject and the frame-rate rule for every
task) accounts for every file, never raises, never hangs, and never hands on more frames than the file
holds whole or a frame rate outside the limits.

Mutations: cuts, flipped bytes and rewritten header fields (frame count, size, rate, codec) of real AVIs,
and file names with other cases, extensions, spaces, other scripts and path-like characters. Fixed
(derandomized) examples; more with ``LVSEG_FUZZ_EXAMPLES=2000 LVSEG_FUZZ_RANDOM=1``.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvseg.datasets import limits
from lvseg.datasets.avi import complete_frames, read_header
from lvseg.datasets.rejects import Reject
from lvseg.datasets.video import load_or_reject
from lvseg.datasets.video_plan import plan_videos
from tests.datasets.factory import write_avi

EXAMPLES = int(os.environ.get("LVSEG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("LVSEG_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HANG_SECONDS = 20
RAN: Counter = Counter()
FIELDS = {"total": ("avih", 16, "<I"), "scale": ("strh", 20, "<I"), "rate": ("strh", 24, "<I"),
          "length": ("strh", 32, "<I"), "width": ("strf", 4, "<i"), "height": ("strf", 8, "<i"),
          "codec": ("strf", 16, "4s")}
VALUES = {"<I": st.sampled_from([0, 1, 2, 25, 50, 999, 1001, 20_001, 2**31, 2**32 - 1]),
          "<i": st.sampled_from([0, -112, 1, 112, 113, 4096, 30_000, 2**31 - 1, -2**31]),
          "4s": st.sampled_from([b"MJPG", b"XVID", b"FFV1", b"H264", b"\x00\x00\x00\x00", b"junk"])}
NAMES = st.sampled_from(["a", "A", "b c", "Échographie", "心エコー", ".hidden", "x,y", "..", "a.b", " lead",
                         "q\"uote", "semi;colon", "0X1A2B"])
EXTENSIONS = st.sampled_from([".avi", ".AVI", ".Avi", ".avi.part", ".mp4", ""])


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz_avi") / "v.avi"
    write_avi(path, frames=8)
    yield path.read_bytes()
    print(f"\nfuzz: outcomes of the videos planned: {dict(RAN)}")


@st.composite
def mutated(draw, clean: bytes) -> bytes:
    data = bytearray(clean)
    for _ in range(draw(st.integers(0, 3))):
        field = draw(st.sampled_from(sorted(FIELDS)))
        chunk, offset, form = FIELDS[field]
        at = data.find(chunk.encode()) + 8 + offset
        struct.pack_into(form, data, at, draw(VALUES[form]))
    for _ in range(draw(st.integers(0, 3))):
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return bytes(data)


def _hang(signum, frame):
    raise TimeoutError(f"no answer within {HANG_SECONDS} s")


@FUZZ
@given(data=st.data())
def test_a_mutated_plain_folder_is_accounted_for_and_bounded(clean, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("folder")
    files = data.draw(st.lists(st.tuples(NAMES, EXTENSIONS, st.booleans()), min_size=1, max_size=5))
    written = set()
    for name, extension, in_videos in files:
        path = Path(folder, "Videos" if in_videos else "", name + extension)
        if name in ("..",) or path.exists():
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data.draw(mutated(clean)))
        written.add(path)
    if not written:
        return
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(HANG_SECONDS)
    try:
        plan = plan_videos(str(folder))
        assert plan.input_videos == len(written)  # every file is a task or a named reject
        assert len({t.video_id.casefold() for t in plan.tasks}) == len(plan.tasks)
        for task in plan.tasks:
            loaded = load_or_reject(task.video_id, task.path)
            if isinstance(loaded, Reject):
                assert loaded.video_id == task.video_id and loaded.reason.value
                RAN[loaded.reason.value] += 1
                continue
            frames, fps, source = loaded
            assert frames.shape[1:] == (112, 112) and frames.dtype == np.uint8
            whole = complete_frames(source)
            assert whole is None or len(frames) <= whole
            assert len(frames) <= limits.MAX_FRAMES
            header = read_header(source)
            assert header is None or fps == (header.fps or 0.0)  # the file's own rate, never a default
            RAN[loaded.__class__.__name__] += 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
