"""lvseg.datasets.echonet: reading a dataset, ED/ES by area, and one test per reject reason."""

import os
from pathlib import Path

import numpy as np
import pytest

from lvseg import storage
from lvseg.datasets.echonet import EchoVideo, iter_dataset, plan_dataset
from lvseg.datasets.filelist import is_safe_name
from lvseg.datasets.filelist import normalize_name
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.scanner import SCANNER_REASONS
from lvseg.datasets.tables import DatasetFormatError
from lvseg.geometry.mask import tracing_mask
from tests.datasets.factory import Dataset, filelist_row, tracing_rows, write_avi


def read(ds: Dataset) -> tuple[list[EchoVideo], list[Reject]]:
    items = list(iter_dataset(ds.write()))
    return [i for i in items if isinstance(i, EchoVideo)], [i for i in items if isinstance(i, Reject)]


def only_reject(ds: Dataset) -> Reject:
    videos, rejects = read(ds)
    assert len(rejects) == 1, rejects
    assert len(videos) + len(rejects) == len(ds.filelist)
    return rejects[0]


def test_clean_dataset_reads_every_video(tmp_path):
    ds = Dataset(tmp_path, n=3)
    videos, rejects = read(ds)
    assert rejects == []
    assert [v.video_id for v in videos] == ds.names
    v = videos[0]
    assert v.frames.shape == (10, 112, 112) and v.frames.dtype == np.uint8
    assert v.meta.split == "TRAIN" and v.meta.fps == 50 and v.meta.ef == pytest.approx(55.5)


def test_ed_is_the_larger_area_whatever_the_row_order(tmp_path):
    videos, _ = read(Dataset(tmp_path, n=2))
    first, second = videos  # video 0 lists the large frame first, video 1 lists it second
    assert (first.ed.index, first.es.index) == (2, 7)
    assert (second.ed.index, second.es.index) == (7, 2)
    for v in videos:
        assert v.ed.area > v.es.area
        assert v.ed.mask.sum() > v.es.mask.sum()
        np.testing.assert_array_equal(v.ed.mask, tracing_mask(v.ed.tracing))


def test_filename_with_or_without_avi_in_either_file(tmp_path):
    ds = Dataset(tmp_path, n=2)
    ds.filelist[0]["FileName"] += ".avi"
    for row in ds.tracings:
        if row["FileName"].startswith(ds.names[1]):
            row["FileName"] = ds.names[1]
    videos, rejects = read(ds)
    assert rejects == [] and [v.video_id for v in videos] == ds.names


def test_malformed_header_names_the_file_and_both_column_lists(tmp_path):
    ds = Dataset(tmp_path, n=1)
    root = ds.write()
    path = Path(root, "FileList.csv")
    path.write_text(path.read_text().replace("FileName,EF", "Name,EF", 1))
    with pytest.raises(DatasetFormatError) as err:
        plan_dataset(root)
    assert "FileList.csv" in str(err.value) and "Name" in str(err.value) and "FileName" in str(err.value)


def test_name_rules():
    assert normalize_name("0X1A.avi") == "0X1A" and normalize_name("0X1A") == "0X1A"
    assert is_safe_name("0X100CF05D141FF143")
    for bad in ("../x", "/etc/x", "a/b", "..", "", "a\\b", ".hidden"):
        assert not is_safe_name(bad)


def drop_frame_rows(ds: Dataset, name: str, frame: int, keep: int = 0) -> None:
    rows = [r for r in ds.tracings if r["FileName"] == name + ".avi" and r["Frame"] == frame]
    for r in rows[keep:]:
        ds.tracings.remove(r)


REJECT_CASES = {}


def case(reason):
    def register(fn):
        REJECT_CASES[reason] = fn
        return fn
    return register


@case(RejectReason.UNSAFE_FILENAME)
def _(ds):
    ds.filelist[0]["FileName"] = "../escape"
    for r in ds.tracings:
        r["FileName"] = r["FileName"].replace(ds.names[0], "../escape")


@case(RejectReason.DUPLICATE_FILELIST_ROW)
def _(ds):
    ds.filelist.append(dict(ds.filelist[0]))


@case(RejectReason.INVALID_METADATA)
def _(ds):
    ds.filelist[0]["EF"] = "nan"


@case(RejectReason.UNSUPPORTED_FRAME_SIZE)
def _(ds):
    ds.filelist[0].update(FrameHeight="768", FrameWidth="1024")


@case(RejectReason.MISSING_TRACINGS)
def _(ds):
    ds.tracings = [r for r in ds.tracings if not r["FileName"].startswith(ds.names[0])]


@case(RejectReason.DUPLICATE_TRACING_ROWS)
def _(ds):
    ds.tracings.append(dict(ds.tracings[3]))


@case(RejectReason.TOO_FEW_TRACED_FRAMES)
def _(ds):
    drop_frame_rows(ds, ds.names[0], 7)


@case(RejectReason.TOO_MANY_TRACED_FRAMES)
def _(ds):
    ds.tracings += tracing_rows(ds.names[0], 5, large=True)


@case(RejectReason.BAD_ROW_COUNT)
def _(ds):
    drop_frame_rows(ds, ds.names[0], 7, keep=20)


@case(RejectReason.BAD_COORDINATES)
def _(ds):
    ds.tracings[4]["X1"] = -3.0


@case(RejectReason.DEGENERATE_POLYGON)
def _(ds):
    for r in ds.tracings:
        if r["FileName"] == ds.names[0] + ".avi" and r["Frame"] == 2:
            r["X2"], r["Y2"] = r["X1"], r["Y1"]


@case(RejectReason.FRAME_OUT_OF_RANGE)
def _(ds):
    for r in ds.tracings:
        if r["FileName"] == ds.names[0] + ".avi" and r["Frame"] == 7:
            r["Frame"] = 10


@case(RejectReason.VIDEO_MISSING)
def _(ds):
    ds.videos[ds.names[0]] = None


@case(RejectReason.VIDEO_EMPTY)
def _(ds):
    ds.videos[ds.names[0]] = None
    (ds.root / "Videos").mkdir(parents=True, exist_ok=True)
    (ds.root / "Videos" / f"{ds.names[0]}.avi").write_bytes(b"")


@case(RejectReason.VIDEO_UNDECODABLE)
def _(ds):
    ds.videos[ds.names[0]] = None
    (ds.root / "Videos").mkdir(parents=True, exist_ok=True)
    (ds.root / "Videos" / f"{ds.names[0]}.avi").write_bytes(b"RIFF-not-really-an-avi" * 100)


@case(RejectReason.UNSUPPORTED_CODEC)
def _(ds):
    def grey_iyuv(root):  # OpenCV writes this AVI but decodes no frame of it
        import cv2

        writer = cv2.VideoWriter(str(ds.video_path(0)), cv2.VideoWriter_fourcc(*"IYUV"), 50.0, (112, 112), False)
        for i in range(10):
            writer.write(np.full((112, 112), 20 * i, np.uint8))
        writer.release()
    ds.after_write.append(grey_iyuv)


@case(RejectReason.VIDEO_TRUNCATED)
def _(ds):
    ds.filelist[0]["NumberOfFrames"] = "12"  # the file holds 10 frames


@case(RejectReason.MALFORMED_ROW)
def _(ds):
    def extra_field(root):
        path = root / "FileList.csv"
        lines = path.read_text().splitlines()
        lines[1] += ",surplus"
        path.write_text("\n".join(lines) + "\n")
    ds.after_write.append(extra_field)


@case(RejectReason.VIDEO_NOT_A_FILE)
def _(ds):
    ds.videos[ds.names[0]] = None
    ds.after_write.append(lambda root: ds.video_path(0).mkdir())


@case(RejectReason.VIDEO_OUTSIDE_DATASET)
def _(ds):
    def link_out(root):
        outside = root.parent / f"{root.name}-elsewhere.avi"
        write_avi(outside)
        ds.video_path(0).unlink()
        ds.video_path(0).symlink_to(outside)
    ds.after_write.append(link_out)


@case(RejectReason.VIDEO_UNREADABLE)
def _(ds):
    # chmod 000 is no obstacle for root (tests often run as root), so the OS's answer is injected instead.
    ds.after_write.append(lambda root: ds.video_path(0).chmod(0))


def test_every_reject_reason_has_a_case():
    # tested elsewhere (scanner exports: tests/datasets/scanner; plain folders: tests/datasets/test_video_plan)
    not_from_input = {RejectReason.ORPHAN_TRACINGS, RejectReason.RECORD_BUILD_FAILED} | SCANNER_REASONS | \
        {RejectReason.DUPLICATE_VIDEO_NAME, RejectReason.NOT_A_VIDEO}
    assert set(REJECT_CASES) | not_from_input == set(RejectReason)


@pytest.mark.parametrize("reason", list(REJECT_CASES), ids=lambda r: r.value)
def test_reject_reason(tmp_path, reason, monkeypatch):
    ds = Dataset(tmp_path / "dataset", n=2)
    REJECT_CASES[reason](ds)
    if reason is RejectReason.VIDEO_UNREADABLE and os.geteuid() == 0:
        read_bytes = storage.read_bytes

        def denied(path):
            if path.endswith(ds.names[0] + ".avi"):
                raise PermissionError(13, "Permission denied", path)
            return read_bytes(path)
        monkeypatch.setattr(storage, "read_bytes", denied)
    videos, rejects = read(ds)
    assert [r.reason for r in rejects] == [reason]
    assert len(videos) + len(rejects) == len(ds.filelist)  # nothing silently lost
    assert ds.names[1] in [v.video_id for v in videos]


def test_orphan_tracings(tmp_path):
    ds = Dataset(tmp_path, n=2)
    ds.tracings += tracing_rows("0XORPHAN", 1, True) + tracing_rows("0XORPHAN", 4, False)
    videos, rejects = read(ds)
    assert [(r.video_id, r.reason) for r in rejects] == [("0XORPHAN", RejectReason.ORPHAN_TRACINGS)]
    assert len(videos) == 2


def test_video_larger_than_its_filelist_row_says_is_rejected(tmp_path):
    ds = Dataset(tmp_path, n=2)
    ds.videos[ds.names[0]] = None
    write_avi(ds.root / "Videos" / f"{ds.names[0]}.avi", size=(160, 120))
    reject = only_reject(ds)
    assert reject.reason is RejectReason.UNSUPPORTED_FRAME_SIZE and "160x120" in reject.detail


def test_truly_truncated_file_is_rejected(tmp_path):
    ds = Dataset(tmp_path, n=2)
    root = ds.write()
    path = Path(root, "Videos", f"{ds.names[0]}.avi")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    rejects = [r for r in iter_dataset(root) if isinstance(r, Reject)]
    assert [r.reason for r in rejects] in ([RejectReason.VIDEO_TRUNCATED], [RejectReason.VIDEO_UNDECODABLE])


def test_reject_json_names_only_the_file():
    r = Reject("0XABC", RejectReason.BAD_ROW_COUNT, "frame 3 has 20 rows")
    assert r.to_json() == {"video_id": "0XABC", "reason": "bad_row_count", "detail": "frame 3 has 20 rows"}
    assert str(RejectReason.BAD_ROW_COUNT) == "bad_row_count"


def test_filelist_row_helper_is_consistent():
    assert filelist_row("x")["NumberOfFrames"] == "10"
