"""Synthetic fault videos: each one triggers exactly the reject reason faults.json names, and nothing else changes."""

from __future__ import annotations

import filecmp
import json
import os

import cv2

from lvseg.datasets.echonet import EchoVideo, iter_dataset
from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner import SCANNER_REASONS
from lvseg.synth import generate_echonet


def _expected(root: str) -> dict[str, str]:
    with open(os.path.join(root, "faults.json")) as handle:
        return json.load(handle)


def _filelist(root: str) -> list[list[str]]:
    with open(os.path.join(root, "FileList.csv")) as handle:
        return [line.rstrip("\n").split(",") for line in handle][1:]


def test_rejects_are_exactly_the_sidecar(faulty_root):
    results = list(iter_dataset(faulty_root))
    rejects = {r.video_id: r.reason.value for r in results if not isinstance(r, EchoVideo)}
    assert len(rejects) == len([r for r in results if not isinstance(r, EchoVideo)])  # one reject per id
    assert rejects == _expected(faulty_root)
    assert len([r for r in results if isinstance(r, EchoVideo)]) == 6


def test_every_reject_reason_is_exercised(faulty_root):
    # No input causes RECORD_BUILD_FAILED; the file-system entries behind the other three do not survive a
    # copy to Cloud Storage, so tests/datasets/test_hostile_entries.py builds them by hand.
    not_portable = {RejectReason.RECORD_BUILD_FAILED, RejectReason.VIDEO_NOT_A_FILE, RejectReason.VIDEO_OUTSIDE_DATASET,
                    RejectReason.VIDEO_UNREADABLE} | SCANNER_REASONS  # scanner exports: tests/datasets/scanner
    # plain-folder reasons (no FileList row can produce them): tests/datasets/test_video_plan.py and the fuzz
    not_portable |= {RejectReason.NOT_A_VIDEO, RejectReason.DUPLICATE_VIDEO_NAME, RejectReason.UNSUPPORTED_CODEC}
    producible = {r.value for r in RejectReason} - {r.value for r in not_portable}
    assert set(_expected(faulty_root).values()) == producible


def test_clean_videos_are_identical_with_or_without_faults(faulty_root, tmp_path):
    clean = str(tmp_path / "clean")
    generate_echonet(clean, videos=6, seed=3, max_frames=40)
    clean_rows = _filelist(clean)
    assert _filelist(faulty_root)[: len(clean_rows)] == clean_rows
    with open(os.path.join(clean, "VolumeTracings.csv")) as a:
        clean_text = a.read()
    with open(os.path.join(faulty_root, "VolumeTracings.csv")) as b:
        assert b.read().startswith(clean_text)
    names = [row[0] + ".avi" for row in clean_rows]
    _, mismatch, errors = filecmp.cmpfiles(os.path.join(clean, "Videos"), os.path.join(faulty_root, "Videos"), names,
                                           shallow=False)
    assert not mismatch and not errors


def test_fault_files_are_what_they_claim(faulty_root):
    by_reason = {reason: vid for vid, reason in _expected(faulty_root).items()}
    videos = os.path.join(faulty_root, "Videos")
    assert not os.path.exists(os.path.join(videos, by_reason["video_missing"] + ".avi"))
    assert os.path.getsize(os.path.join(videos, by_reason["video_empty"] + ".avi")) == 0
    big = cv2.VideoCapture(os.path.join(videos, by_reason["unsupported_frame_size"] + ".avi"))
    ok, frame = big.read()
    big.release()
    assert ok and frame.shape[:2] == (768, 1024)
    rows = {row[0]: row for row in _filelist(faulty_root)}
    assert rows[by_reason["unsupported_frame_size"]][4:6] == ["768", "1024"]
    truncated = cv2.VideoCapture(os.path.join(videos, by_reason["video_truncated"] + ".avi"))
    decoded = 0
    while truncated.read()[0]:
        decoded += 1
    truncated.release()
    assert 0 < decoded < int(rows[by_reason["video_truncated"]][7])
    assert "../escape" in rows and by_reason["unsafe_filename"] == "../escape"
    assert not any(name.startswith("escape") for name in os.listdir(os.path.dirname(os.path.abspath(faulty_root))))
    assert by_reason["orphan_tracings"] not in rows
    duplicated = by_reason["duplicate_filelist_row"]
    assert [row[0] for row in _filelist(faulty_root)].count(duplicated) == 2
