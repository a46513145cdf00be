"""lvseg.datasets.tables and the reader on CSV text that does not parse: each bad line is one named reject.

Every case must keep the promise: input videos = usable + rejected, a reject names a FileName (or a line),
never another row's values, and no exception escapes but the header's DatasetFormatError.
"""

from __future__ import annotations

import pytest

from lvseg.datasets.echonet import iter_dataset, plan_dataset
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.tables import DatasetFormatError, Row, number, read_rows
from tests.datasets.factory import Dataset

COLUMNS = ["FileName", "A", "B"]


def rows_of(tmp_path, data: bytes) -> list[Row]:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return read_rows(str(path), COLUMNS)


def test_lines_parse_one_at_a_time(tmp_path):
    rows = rows_of(tmp_path, b'\xef\xbb\xbfFileName,A,B\r\nv1,1,2\r\n\r\n,,\n"v2,1,2\nv3,"x,y",3\n'
                             b'v4,1\nv5,1,2,3\n\xff\xfe,1,2\n')
    assert [(r.line, r.name, r.ok) for r in rows] == [
        (2, "v1", True), (5, "v2", False), (6, "v3", True), (7, "v4", False), (8, "v5", False), (9, "", False)]
    assert rows[0].fields == {"FileName": "v1", "A": "1", "B": "2"}
    assert rows[2].fields["A"] == "x,y"  # a quoted comma is still one field
    assert "CSV" in rows[1].problem and rows[3].problem == "2 fields, expected 3"
    assert rows[5].problem == "not UTF-8 text"


def test_only_a_missing_file_or_a_wrong_header_raises(tmp_path):
    with pytest.raises(DatasetFormatError, match="no such file"):
        read_rows(str(tmp_path / "none.csv"), COLUMNS)
    for data in (b"", b"FileName,A\nv,1\n", b"\xff\xfe\n", b'"FileName,A,B\n'):
        with pytest.raises(DatasetFormatError, match="expected"):
            rows_of(tmp_path, data)


@pytest.mark.parametrize("text,integer,value", [("112", True, 112), ("112.0", True, 112), ("1.5", True, None),
                                                ("nan", False, None), ("inf", True, None), ("-inf", False, None),
                                                ("1e309", False, None), ("0x10", False, None), ("", False, None),
                                                (" 3.5 ", False, 3.5)])
def test_numbers_are_finite_or_none(text, integer, value):
    assert number(text, integer) == value


def raw_edit(ds: Dataset, name: str, edit) -> None:
    """Rewrite one CSV's text after the dataset is written."""
    def apply(root):
        path = root / name
        path.write_bytes(edit(path.read_bytes()))
    ds.after_write.append(apply)


def read(ds: Dataset) -> tuple[list, list[Reject]]:
    items = list(iter_dataset(ds.write()))
    rejects = [i for i in items if isinstance(i, Reject)]
    return [i for i in items if not isinstance(i, Reject)], rejects


def test_an_unbalanced_quote_costs_one_row_not_the_rest_of_the_file(tmp_path):
    ds = Dataset(tmp_path, n=4)
    raw_edit(ds, "FileList.csv", lambda b: b.replace(ds.names[1].encode(), b'"' + ds.names[1].encode(), 1))
    videos, rejects = read(ds)
    assert [(r.video_id, r.reason) for r in rejects] == [(ds.names[1], RejectReason.MALFORMED_ROW)]
    assert [v.video_id for v in videos] == [ds.names[0], ds.names[2], ds.names[3]]


def test_a_row_that_is_not_utf8_is_rejected_by_line_without_leaking_other_fields(tmp_path):
    ds = Dataset(tmp_path, n=3)
    raw_edit(ds, "FileList.csv", lambda b: b.replace(ds.names[2].encode(), b"0X\xff\xfe", 1))
    videos, rejects = read(ds)
    # the row is rejected by its line; its tracings now belong to no readable row: orphans, by their name
    assert [(r.video_id, r.reason) for r in rejects] == [("FileList.csv:line 4", RejectReason.MALFORMED_ROW),
                                                         (ds.names[2], RejectReason.ORPHAN_TRACINGS)]
    assert "UTF-8" in rejects[0].detail and len(videos) == 2
    assert plan_dataset(str(tmp_path)).input_videos == 4 == len(videos) + len(rejects)


@pytest.mark.parametrize("column,value", [("NumberOfFrames", "inf"), ("FrameHeight", "nan"), ("FPS", "-inf"),
                                          ("NumberOfFrames", "10.5"), ("EF", "120"), ("EF", "-1"), ("ESV", "90"),
                                          ("EDV", "0"), ("FPS", "0"), ("Split", "HOLDOUT")])
def test_impossible_metadata_is_invalid(tmp_path, column, value):
    ds = Dataset(tmp_path, n=2)
    ds.filelist[0][column] = value  # the factory's EDV is 67.6, so ESV 90 exceeds it
    videos, rejects = read(ds)
    assert [(r.video_id, r.reason) for r in rejects] == [(ds.names[0], RejectReason.INVALID_METADATA)]
    assert column in rejects[0].detail
    if value in ("120", "90", "10.5", "HOLDOUT"):
        assert value not in rejects[0].detail  # the detail names the column, never a patient's value


def test_a_tracing_row_that_names_no_video_is_a_problem_of_the_file(tmp_path):
    ds = Dataset(tmp_path, n=2)
    raw_edit(ds, "VolumeTracings.csv", lambda b: b + b"\xff\xff,1,2,3,4,5\n")
    plan = plan_dataset(ds.write())
    assert plan.rejects == [] and len(plan.tasks) == 2
    assert plan.problems == [f"VolumeTracings.csv line {1 + len(ds.tracings) + 1}: not UTF-8 text"]


def test_an_unparsable_tracing_row_rejects_its_video(tmp_path):
    ds = Dataset(tmp_path, n=2)
    ds.tracings[5]["Frame"] = "inf"
    videos, rejects = read(ds)
    assert [(r.video_id, r.reason) for r in rejects] == [(ds.names[0], RejectReason.BAD_COORDINATES)]
    assert "VolumeTracings.csv line 7" in rejects[0].detail
