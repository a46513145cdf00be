"""``lvseg analyze --videos`` over a folder mixing scanner exports and EchoNet AVIs, end to end (real Beam runner,
through the CLI entry), with a TEST-ONLY oracle that answers every frame with its true LV mask (scanner_oracle.py).

One synthetic clip (lvseg.synth, 1.25 mm per 112-px pixel) is shown on a 640x480 scanner screen with text and an
ECG trace and written as DICOM loops in three transfer syntaxes (with an ultrasound region and its spacing), as an
extensionless DICOM without spacing or frame rate, as an MP4 screen recording and as a folder of PNG stills; the
clip itself (and its reverse) as EchoNet AVIs; and bad files beside them. Every file ends analysed or rejected
with its reason; the loops with a spacing give volumes in mL equal to the EchoNet AVI's pixel-unit volumes times
1.25^3 within interpolation error; masks and overlay videos are written for every analysed video.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator

import cv2
import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import MPEG4HP41, ExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless

from lvseg import cli
from lvseg.datasets.scanner.convert import convert_clip
from lvseg.datasets.scanner.synthetic import Screen, add_colour_flow, screen_frame, write_us_dicom
from lvseg.datasets.video import load_video
from lvseg.inference.decode import segment
from lvseg.inference.temporal import temporal_mean
from lvseg.synth.clips import MM_PER_PIXEL, render_video, write_avi
from lvseg.synth.plan import plan_video
from lvseg.synth.truth import VideoTruth
from tests.analyze import scanner_oracle

FRAMES, FPS_GIVEN = 64, 30.0
SPACED = ("loop_native", "loop_jpeg", "loop_rle")
BAD = {"nopixels": "dicom_no_pixel_data", "IM_STILL": "dicom_not_a_cine", "doppler": "colour_doppler",
       "mpeg4": "unsupported_transfer_syntax", "notes.txt": "not_a_video"}


def _mp4(path: str, frames: list[np.ndarray], fps: float) -> None:
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"mp4v"), fps, (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()


def _bad_files(folder, screen_frames: list[np.ndarray], screen: Screen) -> None:
    write_us_dicom(str(folder / "nopixels.dcm"), iter(screen_frames[:2]), 2, ExplicitVRLittleEndian)
    ds = pydicom.dcmread(folder / "nopixels.dcm")
    del ds.PixelData
    ds.save_as(folder / "nopixels.dcm")
    shutil.copy(str(get_testdata_file("examples_palette.dcm")), folder / "IM_STILL")  # one frame, no extension
    rgb = [cv2.cvtColor(f, cv2.COLOR_GRAY2RGB) for f in screen_frames[:8]]
    flow = [add_colour_flow(f, screen, i) for i, f in enumerate(rgb)]
    write_us_dicom(str(folder / "doppler.dcm"), iter(flow), len(flow), JPEGBaseline8Bit)
    write_us_dicom(str(folder / "mpeg4.dcm"), iter(screen_frames[:2]), 2, ExplicitVRLittleEndian)
    ds = pydicom.dcmread(folder / "mpeg4.dcm")
    ds.file_meta.TransferSyntaxUID = MPEG4HP41  # an H.264 stream: no installed decoder
    ds.PixelData = encapsulate([b"\x00\x00\x00\x01\x67" + bytes(59)])
    ds["PixelData"].VR = "OB"
    ds.save_as(folder / "mpeg4.dcm")
    (folder / "notes.txt").write_text("not a video")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Iterator[dict]:
    """The mixed folder, and the oracle taught every good file's converted frames."""
    plan = plan_video(0, 8, min_frames=FRAMES, max_frames=FRAMES)
    frames, _ = render_video(plan, split="TEST")
    fps, truth_masks = float(plan.timing.fps), VideoTruth(plan).masks()
    screen = Screen()
    shown = [screen_frame(f, i, screen) for i, f in enumerate(frames)]
    folder = tmp_path_factory.mktemp("scanner_mix")
    region = (screen.x0, screen.y0, screen.x0 + screen.side, screen.y0 + screen.side)
    spacing_cm = screen.mm_per_screen_pixel(MM_PER_PIXEL) / 10.0
    for name, syntax in zip(SPACED, (ExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless)):
        write_us_dicom(str(folder / f"{name}.dcm"), iter(shown), len(shown), syntax, fps=fps, spacing_cm=spacing_cm,
                       region=region)
    write_us_dicom(str(folder / "IM_0001"), iter(shown), len(shown), ExplicitVRLittleEndian, fps=None, region=region)
    _mp4(str(folder / "screen.mp4"), shown, fps)
    (folder / "stills").mkdir()
    for i, frame in enumerate(shown):
        cv2.imwrite(str(folder / "stills" / f"frame{i}.png"), frame)
    write_avi(str(folder / "echo_a.avi"), frames, int(fps))
    write_avi(str(folder / "echo_b.avi"), frames[::-1].copy(), int(fps))
    _bad_files(folder, shown, screen)

    truth: dict = {}
    for name in (*SPACED, "IM_0001", "screen.mp4", "stills"):
        path = str(folder / (f"{name}.dcm" if name in SPACED else name))
        converted = convert_clip(path, fallback_fps=FPS_GIVEN)
        masks = np.stack([scanner_oracle.converted_mask(m, screen, converted.mapping) for m in truth_masks])
        scanner_oracle.learn(truth, converted.frames, masks)
    scanner_oracle.learn(truth, load_video(str(folder / "echo_a.avi"))[0], truth_masks)
    scanner_oracle.learn(truth, load_video(str(folder / "echo_b.avi"))[0], truth_masks[::-1])
    scanner_oracle.register(truth)
    yield {"folder": str(folder), "fps": fps, "truth": truth}
    scanner_oracle.unregister()


@pytest.fixture(scope="module")
def result(source, tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("scanner_out") / "out")
    assert cli.main(["analyze", "--videos", source["folder"], "--models", scanner_oracle.SPEC, "--out", out,
                     "--fps", str(FPS_GIVEN), "--no-mirror-average", "--declutter", "0", "--save-masks",
                     "--bootstrap-samples", "20", "--figure-videos", "1", "--gif-max-frames", "5"]) == 0
    return out


def rows(path: str) -> dict[str, dict]:
    return {r["video_id"]: r for r in csv.DictReader(open(path))}


def test_every_file_is_analysed_or_a_named_reject(result):
    summary = json.load(open(os.path.join(result, "summary.json")))
    counts = summary["counts"]
    assert counts["input_videos"] == 8 + len(BAD) and counts["analysed_videos"] == 8
    assert counts["rejected_videos"] == len(BAD) and counts["skipped_videos"] == 0
    rejected = {r["video_id"]: r["reason"] for r in map(json.loads, open(os.path.join(result, "rejected.jsonl")))}
    assert rejected == {k.removesuffix(".dcm"): v for k, v in BAD.items()}
    manifest = json.load(open(os.path.join(result, "manifest.json")))
    assert manifest["input_videos"] == manifest["analysed_videos"] + manifest["rejected_videos"]


def test_ef_per_video_and_where_each_rate_came_from(result, source):
    videos = rows(os.path.join(result, "per_video.csv"))
    assert set(videos) == {*SPACED, "IM_0001", "screen", "stills", "echo_a", "echo_b"}
    reference = float(videos["echo_a"]["ef"])
    assert 20 < reference < 80
    for name, row in videos.items():
        assert abs(float(row["ef"]) - reference) < 3.0, (name, row["ef"])  # the same clip, however stored
    expected = {"echo_a": ("echonet", "the video container"), "loop_jpeg": ("dicom", "DICOM FrameTime"),
                "IM_0001": ("dicom", "caller"), "screen": ("video", "the video container"),
                "stills": ("frames", "caller")}
    for name, (kind, origin) in expected.items():
        assert (videos[name]["source"], videos[name]["fps_origin"]) == (kind, origin), name
    assert float(videos["stills"]["fps"]) == FPS_GIVEN and float(videos["loop_rle"]["fps"]) == source["fps"]


def test_volumes_in_ml_only_where_the_file_states_a_spacing(result):
    videos = rows(os.path.join(result, "per_video.csv"))
    echonet_edv, echonet_esv = float(videos["echo_a"]["edv"]), float(videos["echo_a"]["esv"])
    for name in SPACED:
        row = videos[name]
        assert row["units"] == "mL" and "PhysicalDeltaX/Y" in row["spacing"]
        mm = float(row["mm_per_pixel"])
        assert mm == pytest.approx(MM_PER_PIXEL, rel=0.02)
        assert float(row["edv_ml"]) == pytest.approx(float(row["edv"]) * mm ** 3, rel=1e-3)
        # the pasted clip's own EchoNet-frame volumes times its spacing, within interpolation error
        assert float(row["edv_ml"]) == pytest.approx(echonet_edv * MM_PER_PIXEL ** 3, rel=0.06), name
        assert float(row["esv_ml"]) == pytest.approx(echonet_esv * MM_PER_PIXEL ** 3, rel=0.08), name
    for name in ("IM_0001", "screen", "stills", "echo_a", "echo_b"):
        row = videos[name]
        assert row["units"] == "pixel" and row["edv_ml"] == row["esv_ml"] == row["mm_per_pixel"] == ""
        assert row["edv"] and row["spacing"]
    beats = list(csv.DictReader(open(os.path.join(result, "per_beat.csv"))))
    assert all((b["edv_ml"] != "") == (b["video_id"] in SPACED) for b in beats)
    html = open(os.path.join(result, "report.html")).read()
    assert "Volumes in mL for 3 video(s)" in html and "5 video(s) have pixel units only" in html


def test_masks_and_overlay_videos_for_every_analysed_video(result):
    videos = rows(os.path.join(result, "per_video.csv"))
    manifest = json.load(open(os.path.join(result, "manifest.json")))
    for name, row in videos.items():
        stem = os.path.join(result, "masks", f"scan-oracle__{name}")
        archive = np.load(stem + ".npz")
        frames = int(row["frames"])
        assert archive["masks"].shape == (frames, 112, 112) and archive["masks"].dtype == bool
        assert archive["ok"].all() and float(archive["fps"]) == float(row["fps"])
        assert ("crop" in archive) == (row["source"] != "echonet")
        if name in SPACED:
            assert tuple(archive["source_shape"]) == (480, 640)
            assert float(archive["mm_per_pixel"]) == pytest.approx(float(row["mm_per_pixel"]), rel=1e-4)
        capture = cv2.VideoCapture(stem + ".avi")
        ok, first = capture.read()
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        capture.release()
        assert ok and first.shape == (224, 224, 3) and count == frames
        for suffix in (".npz", ".avi"):
            assert f"masks/scan-oracle__{name}{suffix}" in manifest["files"]


def test_temporal_window_averages_raw_outputs_before_the_rule(source, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(os.path.join(source["folder"], "echo_a.avi"), folder)
    out = str(tmp_path / "out")
    assert cli.main(["analyze", "--videos", str(folder), "--models", scanner_oracle.SPEC, "--out", out,
                     "--temporal-window", "5", "--no-mirror-average", "--declutter", "0", "--save-masks",
                     "--bootstrap-samples", "10", "--figure-videos", "0"]) == 0
    frames = load_video(str(folder / "echo_a.avi"))[0]
    outputs = np.stack([source["truth"][f.tobytes()].mask for f in frames]).astype(np.float32)[..., None]
    expected = np.stack([segment("mask", o).mask != 0 for o in temporal_mean(outputs, 5)])
    saved = np.load(os.path.join(out, "masks", "scan-oracle__echo_a.npz"))["masks"]
    assert np.array_equal(saved, expected)
    per_frame = np.stack([segment("mask", o).mask != 0 for o in outputs])
    assert not np.array_equal(saved, per_frame)  # the window changed some frames' masks
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert summary["inputs"]["temporal_window"] == 5


def test_an_even_temporal_window_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["analyze", "--videos", str(tmp_path), "--models", scanner_oracle.SPEC, "--out",
                     str(tmp_path / "o"), "--temporal-window", "4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lvseg analyze: error: ") and "odd" in err and len(err.strip().splitlines()) == 1
