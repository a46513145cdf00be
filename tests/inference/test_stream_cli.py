"""``lvseg stream`` through the real CLI: an EchoNet AVI and a DICOM loop give the batch analysis's beats and EF
of the same converted frames, volumes in mL where the file states its spacing; user errors are one line."""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydicom.uid import JPEGBaseline8Bit

from lvseg import cli
from lvseg.analysis.video import analyse_video
from lvseg.datasets.scanner.clip_input import ECHONET, load_for_analysis
from lvseg.datasets.scanner.entries import AVI, SCANNER
from lvseg.datasets.scanner.synthetic import Screen, screen_frame, write_us_dicom
from lvseg.geometry.mask import disk_volume, tracing_mask
from lvseg.inference.declutter import DEFAULT_STRENGTH, declutter_clip
from lvseg.inference.mirror import MirrorRunner
from lvseg.inference.runners import TFLiteRunner
from lvseg.inference.temporal import TemporalRunner
from lvseg.synth.anatomy import cycle, sample_heart
from lvseg.synth.clips import MM_PER_PIXEL, write_avi
from lvseg.synth.display import sector_mask
from lvseg.datasets.video_plan import AnalysisTask
from lvseg.synth.plan import appearance, plan_video

FPS, BPM, SYSTOLE, FRAMES = 50, 72, 0.35, 180
BEAT = re.compile(r"beat (\d+): ED frame (\d+) .* ES frame (\d+) .*: EF ([\d.]+) %, EDV ([\d.]+) (mL|px units)")


class Clip:
    """A beating LV (grey 230) inside a speckled fan (30-110) that fills the 112x112 frame, and its truth."""

    def __init__(self) -> None:
        plan = plan_video(0, 8, min_frames=24, max_frames=32)  # a fan spanning the whole frame
        fan = sector_mask(appearance(plan, "train", training=False)[0], (112, 112)) > 0.5
        heart = sample_heart(np.random.default_rng(4), 55.0)
        tracings = [heart.lv(float(c)).tracing() for c in cycle(0.3 + np.arange(FRAMES) / (FPS * 60 / BPM), SYSTOLE)]
        rng = np.random.default_rng(0)
        speckle = rng.integers(30, 110, (FRAMES, 112, 112))
        lv = np.stack([tracing_mask(t) for t in tracings]).astype(bool)
        self.frames = np.where(lv, 230, np.where(fan, speckle, 0)).astype(np.uint8)
        self.volumes = np.array([disk_volume(t, 1.0) for t in tracings])  # pixel units

    @property
    def ef(self) -> float:
        return float((self.volumes.max() - self.volumes.min()) / self.volumes.max() * 100.0)


@pytest.fixture(scope="module")
def clip() -> Clip:
    return Clip()


def write_dicom(clip: Clip, path: str, fps: float | None = FPS) -> str:
    """The clip on a 640x480 scanner screen, as a JPEG DICOM loop with its B-mode region and spacing."""
    screen = Screen()
    region = (screen.x0, screen.y0, screen.x0 + screen.side, screen.y0 + screen.side)
    frames = (screen_frame(f, i, screen) for i, f in enumerate(clip.frames))
    write_us_dicom(path, frames, len(clip.frames), JPEGBaseline8Bit, fps=fps,
                   spacing_cm=screen.mm_per_screen_pixel(MM_PER_PIXEL) / 10.0, region=region)
    return path


def stream(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(["stream", *argv])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.parametrize("kind, window", [("avi", 1), ("dicom", 1), ("dicom", 3)])
def test_stream_gives_the_batch_analysis_of_the_converted_frames(clip, threshold_tflite, tmp_path, capsys,
                                                                 kind, window):
    if kind == "avi":
        path = str(tmp_path / "0X1234ABCD.avi")
        write_avi(path, clip.frames, FPS)
    else:
        path = write_dicom(clip, str(tmp_path / "loop.dcm"))
    # the clip's frames are bright LV masks, whose never-moving core decluttering would dim: off here (the
    # default is streamed in the test below)
    status, out, err = stream(capsys, path, "--models", threshold_tflite, "--temporal-window", str(window),
                              "--declutter", "0")
    assert status == 0 and err == ""
    # the frames lvseg analyze analyses: an EchoNet AVI as it is, a DICOM loop converted to the EchoNet frame
    clip_frames = load_for_analysis(AnalysisTask("clip", path, kind=AVI if kind == "avi" else SCANNER))
    assert clip_frames.source == (ECHONET if kind == "avi" else "dicom")
    runner = TFLiteRunner(threshold_tflite)
    batch = analyse_video(TemporalRunner(runner, window).segment(clip_frames.frames), runner.kind, clip_frames.fps)
    printed = [m.groups() for m in BEAT.finditer(out)]
    assert len(printed) == len(batch.beats) >= 3
    assert [(int(ed), int(es)) for _, ed, es, *_ in printed] == [(b.ed_frame, b.es_frame) for b in batch.beats]
    assert [float(ef) for *_, ef, _, _ in printed] == [round(b.ef, 1) for b in batch.beats]
    assert f"video EF {batch.ef:.1f} %" in out and f"{FRAMES} frames" in out
    assert f"temporal window {window}" in out
    assert abs(batch.ef - clip.ef) < 5.0  # the threshold model sees the LV: a real EF, not a trivial one
    edv = np.array([float(v) for *_, v, _ in printed])
    if kind == "dicom":  # the file states 1.25 mm per 112-px pixel: volumes in mL
        assert "volumes in mL: pixel spacing from" in out and {u for *_, u in printed} == {"mL"}
        np.testing.assert_allclose(edv, clip.volumes.max() * MM_PER_PIXEL ** 3, rtol=0.1)
    else:
        assert "volumes in px units of the 112x112 frame: an EchoNet AVI states no pixel spacing" in out
        assert {u for *_, u in printed} == {"px units"}
        np.testing.assert_allclose(edv, clip.volumes.max(), rtol=0.1)


@pytest.mark.parametrize("flags,mirrored", [((), True), (("--mirror-average",), True),
                                             (("--no-mirror-average",), False)])
def test_mirror_averaging_by_default_streams_the_batch_analysis_of_the_same_frames(clip, threshold_tflite, tmp_path,
                                                                                   capsys, flags, mirrored):
    path = str(tmp_path / "0X1234ABCD.avi")
    write_avi(path, clip.frames, FPS)
    status, out, err = stream(capsys, path, "--models", threshold_tflite, *flags)
    assert status == 0 and err == "" and ("mirror-averaged" in out) == mirrored
    assert f"decluttered {DEFAULT_STRENGTH:g}" in out
    frames = load_for_analysis(AnalysisTask("clip", path, kind=AVI)).frames
    runner = TFLiteRunner(threshold_tflite)
    seen = declutter_clip(frames, FPS, DEFAULT_STRENGTH)
    batch = analyse_video((MirrorRunner(runner) if mirrored else runner).segment(seen), "mask", FPS)
    printed = [m.groups() for m in BEAT.finditer(out)]
    assert [(int(ed), int(es)) for _, ed, es, *_ in printed] == [(b.ed_frame, b.es_frame) for b in batch.beats]
    assert len(printed) >= 3 and f"video EF {batch.ef:.1f} %" in out


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lvseg stream: error: "), err
    return lines[0]


def test_a_clip_without_a_frame_rate_needs_fps(clip, threshold_tflite, tmp_path, capsys):
    path = write_dicom(clip, str(tmp_path / "no-rate.dcm"), fps=None)
    status, out, err = stream(capsys, path, "--models", threshold_tflite)
    assert status == 2 and out == ""
    assert "no_frame_rate" in one_error_line(err) and "--fps" in err
    status, out, err = stream(capsys, path, "--models", threshold_tflite, "--fps", "25")
    assert status == 0 and "at 25 fps (--fps)" in out and "video EF" in out


def test_user_errors_are_one_line(threshold_tflite, tmp_path, capsys):
    missing = str(tmp_path / "missing.avi")
    status, _, err = stream(capsys, missing, "--models", threshold_tflite)
    assert status == 2 and "video_missing" in one_error_line(err) and missing in err
    for argv, expected in [((missing,), "the following arguments are required: --models"),
                           ((missing, "--models", threshold_tflite, "--temporal-window", "2"), "odd number"),
                           ((missing, "--models", threshold_tflite, "--fps", "1e6"), "at most 1000"),
                           ((missing, "--models", threshold_tflite, threshold_tflite), "pick one with --model"),
                           ((missing, "--models", threshold_tflite, "--model", "other"), "not among --models")]:
        status, _, err = stream(capsys, *argv)
        assert status == 2 and expected in one_error_line(err), (argv, err)


def test_the_old_spelling_points_to_the_new_command(capsys):
    assert cli.main(["analyze", "--stream", "clip.avi", "--models", "m.tflite"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "lvseg analyze: error: the streaming analyser is its own command: lvseg stream VIDEO --models MODEL"
