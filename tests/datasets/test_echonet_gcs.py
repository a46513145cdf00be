"""plan_dataset / load_task read a dataset on gs:// (the local emulator) exactly as they read it from disk."""

from __future__ import annotations

import numpy as np

from lvseg import storage
from lvseg.datasets.echonet import EchoVideo, load_task, plan_dataset
from tests.conftest import upload_tree


def test_plan_and_load_over_gcs_match_local(faulty_root, gcs_bucket):
    gs_root = storage.join(gcs_bucket, "echonet")
    upload_tree(faulty_root, gs_root)

    local_plan, gcs_plan = plan_dataset(faulty_root), plan_dataset(gs_root)
    local_tasks, gcs_tasks = local_plan.tasks, gcs_plan.tasks
    assert gcs_plan.rejects == local_plan.rejects
    assert [t.meta for t in gcs_tasks] == [t.meta for t in local_tasks]
    for local, remote in zip(local_tasks, gcs_tasks):
        assert remote.video_path == storage.join(gs_root, "Videos", local.meta.video_id + ".avi")
        assert sorted(remote.tracings) == sorted(local.tracings)
        for frame in local.tracings:
            assert np.array_equal(remote.tracings[frame].rows(), local.tracings[frame].rows())

    reasons = set()
    for local, remote in zip(local_tasks, gcs_tasks):
        a, b = load_task(local), load_task(remote)
        assert type(a) is type(b)
        if isinstance(a, EchoVideo):
            assert np.array_equal(a.frames, b.frames)
            assert (a.ed.index, a.es.index) == (b.ed.index, b.es.index)
        else:
            assert b == a
            reasons.add(b.reason.value)
    # the decode-time faults behave the same through Cloud Storage
    assert {"video_missing", "video_empty", "video_undecodable", "video_truncated"} <= reasons
