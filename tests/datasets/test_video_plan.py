"""lvseg.datasets.video_plan: which videos the analysis takes, and that it judges FileList rows as training does."""

from __future__ import annotations

from lvseg.datasets.echonet import plan_dataset
from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video_plan import plan_videos
from tests.datasets.factory import Dataset, filelist_row


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
    assert [(r.video_id, r.reason) for r in plan.rejects] == [(".hidden", RejectReason.UNSAFE_FILENAME)]
