"""Scanner exports as analysis input: how a folder's entries are planned (lvseg.datasets.scanner.entries,
lvseg.datasets.video_plan), read for the analysis (clip_input) locally and from gs://, and described by
``lvseg inspect`` (describe, lvseg.datasets.inspection)."""

from __future__ import annotations

import os
import shutil

import cv2
import numpy as np
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

from lvseg import storage
from lvseg.datasets.rejects import Reject
from lvseg.datasets.scanner.clip_input import load_for_analysis
from lvseg.datasets.scanner.describe import describe_clip
from lvseg.datasets.scanner.synthetic import write_us_dicom
from lvseg.datasets.video_plan import plan_videos
from lvseg.synth.clips import write_avi
from tests.conftest import upload_tree


@pytest.fixture
def mixed(tmp_path, clip):
    """A DICOM loop with spacing, an extensionless loop, a 640x480 AVI, stills, an EchoNet AVI, a text file."""
    shown = clip.screen_frames()
    s = clip.screen
    region = (s.x0, s.y0, s.x0 + s.side, s.y0 + s.side)
    write_us_dicom(str(tmp_path / "loop.dcm"), iter(shown), len(shown), JPEGBaseline8Bit, fps=clip.fps,
                   spacing_cm=clip.screen_mm / 10, region=region)
    write_us_dicom(str(tmp_path / "IM_0002"), iter(shown), len(shown), ExplicitVRLittleEndian, fps=None)
    write_avi(str(tmp_path / "big.avi"), np.stack(shown), clip.fps)
    write_avi(str(tmp_path / "echo.avi"), clip.frames, clip.fps)
    (tmp_path / "stills").mkdir()
    for i, frame in enumerate(shown[:12]):
        cv2.imwrite(str(tmp_path / "stills" / f"f{i}.png"), frame)
    (tmp_path / "empty_folder").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    return tmp_path


def test_a_mixed_folder_is_planned_by_what_each_entry_is(mixed):
    plan = plan_videos(str(mixed))
    assert sorted((t.video_id, t.kind) for t in plan.tasks) == [
        ("IM_0002", "scanner"), ("big", "avi"), ("echo", "avi"), ("loop", "scanner"), ("stills", "scanner")]
    assert [(r.video_id, r.reason.value) for r in plan.rejects] == [("notes.txt", "not_a_video")]
    assert plan.input_videos == 6  # the empty folder holds no clip and is not counted, as before
    only_stills = plan_videos(str(mixed / "stills"))  # a folder of stills is itself one clip
    assert [(t.video_id, t.kind) for t in only_stills.tasks] == [("stills", "scanner")]


def test_each_is_read_by_its_own_rule(mixed, clip):
    tasks = {t.video_id: t for t in plan_videos(str(mixed)).tasks}
    echo = load_for_analysis(tasks["echo"])
    assert not isinstance(echo, Reject) and echo.source == "echonet" and echo.mapping is None
    big = load_for_analysis(tasks["big"])  # an AVI of another size is a scanner export, not a reject
    assert not isinstance(big, Reject) and big.source == "video" and big.mapping is not None
    assert big.frames.shape == clip.frames.shape
    loop = load_for_analysis(tasks["loop"])
    assert not isinstance(loop, Reject) and loop.mapping is not None and loop.mapping.mm_per_pixel is not None
    stated_none = load_for_analysis(tasks["IM_0002"])
    assert isinstance(stated_none, Reject) and stated_none.reason.value == "no_frame_rate"
    given = load_for_analysis(tasks["IM_0002"], fallback_fps=25.0)
    assert not isinstance(given, Reject) and (given.fps, given.fps_origin) == (25.0, "caller")
    stated = load_for_analysis(tasks["loop"], fallback_fps=25.0)  # a rate the file states wins
    assert not isinstance(stated, Reject) and stated.fps == pytest.approx(clip.fps, rel=1e-3)


def test_gcs_input_reads_as_local(mixed, gcs_bucket):
    root = storage.join(gcs_bucket, "mix")
    upload_tree(str(mixed), root)
    local, remote = plan_videos(str(mixed)), plan_videos(root)
    assert sorted((t.video_id, t.kind) for t in remote.tasks) == sorted((t.video_id, t.kind) for t in local.tasks)
    assert [(r.video_id, r.reason) for r in remote.rejects] == [(r.video_id, r.reason) for r in local.rejects]
    by_id = {t.video_id: t for t in remote.tasks}
    for task in local.tasks:
        a, b = load_for_analysis(task, 30.0), load_for_analysis(by_id[task.video_id], 30.0)
        assert not isinstance(a, Reject) and not isinstance(b, Reject), task.video_id
        assert np.array_equal(a.frames, b.frames) and a.fps == b.fps and a.source == b.source, task.video_id


def test_describe_says_what_a_file_is_and_how_it_would_be_converted(mixed, clip):
    info = describe_clip(str(mixed / "loop.dcm"))
    s = clip.screen
    assert info["status"] == "ok" and info["kind"] == "dicom" and "JPEG Baseline" in info["container"]
    assert (info["width"], info["height"], info["frames"]) == (s.width, s.height, len(clip.frames))
    assert info["fps_origin"] == "DICOM FrameTime" and info["spacing_mm"] == pytest.approx([clip.screen_mm] * 2)
    assert info["crop"] == [s.x0, s.y0, s.side] and info["scale"] == pytest.approx(112 / s.side, rel=1e-4)
    video = describe_clip(str(mixed / "big.avi"))
    assert video["spacing_mm"] is None and "MJPG" in video["container"] and video["fps_origin"] == "the video container"
    still = str(get_testdata_file("examples_palette.dcm"))
    assert describe_clip(still)["reason"] == "dicom_not_a_cine"


def test_inspect_prints_one_line_per_entry(mixed, capsys):
    from lvseg import cli

    shutil.copy(str(get_testdata_file("examples_palette.dcm")), mixed / "IM_STILL")
    assert cli.main(["inspect", str(mixed), "--fps", "30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "input videos: 7, usable 5"
    text = "\n".join(lines)
    assert "IM_0002: DICOM Explicit VR Little Endian" in text and "30 fps (caller)" in text
    assert "IM_STILL: rejected dicom_not_a_cine" in text and "notes.txt: rejected not_a_video" in text
    assert "echo: EchoNet AVI, 112x112" in text
    assert any(line.strip().startswith("loop: ") and "crop 392x392 at (150, 40)" in line for line in lines)
    assert os.path.isdir(mixed / "stills")
