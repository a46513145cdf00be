"""lvseg.datasets.video_plan: which videos the analysis takes, and that it judges FileList rows as training does."""

from __future__ import annotations

import os

from lvseg.datasets.echonet import plan_dataset
from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video_plan import is_safe_folder_name, plan_videos
from tests.datasets.factory import Dataset, filelist_row, write_avi


def test_a_duplicate_row_is_a_reject_whatever_splits_are_asked_for(tmp_path):
    ds = Dataset(tmp_path, n=3)  # splits TRAIN, VAL, TEST
    ds.filelist.append(filelist_row(ds.names[0], "TEST"))  # a second row for the TRAIN video, in TEST
    root = ds.write()
    training = plan_dataset(root)
    assert [(r.video_id, r.reason) for r in training.rejects] == [(ds.names[0], RejectReason.DUPLICATE_FILELIST_ROW)]
    for splits in ((), ("TEST",), ("test",)):
        plan = plan_videos(root, splits)
        assert [(r.video_id, r.reason) for r in plan.rejects] == [(ds.names[0], RejectReason.DUPLICATE_FILELIST_ROW)]
        assert len(plan.tasks) + len(plan.rejects) + plan.skipped == 4
    only_test = plan_videos(root, ("TEST",))
    assert [(t.video_id, t.split) for t in only_test.tasks] == [(ds.names[2], "TEST")]
    assert only_test.skipped == 2


def test_untraced_videos_are_tasks_and_traced_ones_carry_their_tracings(tmp_path):
    ds = Dataset(tmp_path, n=2)
    ds.tracings = [row for row in ds.tracings if not row["FileName"].startswith(ds.names[1])]
    plan = plan_videos(ds.write())
    assert plan.rejects == [] and [t.video_id for t in plan.tasks] == ds.names
    traced, untraced = plan.tasks
    assert sorted(traced.tracings) == [2, 7] and untraced.tracings is None
    assert traced.fps == 50 and traced.ef_reference == 55.5 and traced.split == "TRAIN"


def test_a_plain_folder_takes_its_avi_files_and_refuses_unsafe_names(tmp_path):
    ds = Dataset(tmp_path / "src", n=2)
    ds.write()
    (tmp_path / "src" / "FileList.csv").unlink()
    (tmp_path / "src" / "Videos" / "notes.txt").write_text("not a video")
    (tmp_path / "src" / "Videos" / ".hidden.avi").write_bytes(b"")
    plan = plan_videos(str(tmp_path / "src"))
    assert plan.layout == "folder" and sorted(t.video_id for t in plan.tasks) == ds.names
    assert [(r.video_id, r.reason) for r in plan.rejects] == [(".hidden", RejectReason.UNSAFE_FILENAME),
                                                              ("notes.txt", RejectReason.NOT_A_VIDEO)]
    assert plan.input_videos == 4  # every file is counted: VolumeTracings.csv, the layout's own, is not a video


def test_every_file_of_a_plain_folder_is_counted_and_colliding_ids_are_named(tmp_path):
    src = tmp_path / "src"
    for relative in ("a.avi", "a.AVI", "Videos/A.avi", "Videos/b.avi", "b.avi", "deeper/c.avi", "Videos/x/d.avi"):
        write_avi(src / relative)
    (src / "README.md").write_text("about these videos")
    plan = plan_videos(str(src))
    assert sorted((t.video_id, os.path.relpath(t.path, src)) for t in plan.tasks) == [
        ("A", "Videos/A.avi"), ("b", "Videos/b.avi")]
    assert sorted((r.video_id, r.reason.value) for r in plan.rejects) == [
        ("README.md", "not_a_video"), ("a.AVI", "duplicate_video_name"), ("a.avi", "duplicate_video_name"),
        ("b.avi", "duplicate_video_name")]
    assert plan.input_videos == 6  # deeper folders are not this source's (as before)
    assert "Videos/A.avi" in next(r for r in plan.rejects if r.video_id == "a.avi").detail


def test_a_single_file_and_names_with_spaces_or_other_scripts(tmp_path):
    for name in ("patient one.avi", "Échographie 2.avi", "心エコー.avi"):
        write_avi(tmp_path / name)
    plan = plan_videos(str(tmp_path))
    assert sorted(t.video_id for t in plan.tasks) == ["patient one", "Échographie 2", "心エコー"]
    assert plan.rejects == []
    single = plan_videos(str(tmp_path / "patient one.avi"))
    assert [(t.video_id, t.path) for t in single.tasks] == [("patient one", str(tmp_path / "patient one.avi"))]
    for unsafe in ('a,b', 'say "hi"', " padded", "tab\there"):
        assert not is_safe_folder_name(unsafe), unsafe
