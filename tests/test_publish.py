"""lvseg.publish: an output folder is either refused or holds exactly one complete run, whatever is killed.

Every test runs on local disk and on gs:// (gcp-storage-emulator), except the SIGKILL and local lock
cases (local only) and the generation-precondition race (gs:// only). Outputs are small text files
named like the records' shards; what matters is which run's bytes sit under the owned names.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import time

import pytest

from lvseg import publish_lock, storage
from lvseg.publish import LOCK, MANIFEST, PublicationError, begin, claimed, publish, read_complete, release
from tests.conftest import REPO_ROOT

OWNED = ("frames", "videos", "schema.json", "rejected.jsonl")
OLD = {"frames/TRAIN-00000-of-00002.tfrecord.gz": "old frames 0 " * 7,
       "frames/TRAIN-00001-of-00002.tfrecord.gz": "old frames 1 " * 9,
       "videos/TRAIN-00000-of-00001.tfrecord.gz": "old videos " * 5,
       "schema.json": '{"version": 1}\n',
       "rejected.jsonl": ""}
# One shard fewer and no videos: a re-run must leave no stale shard and no old videos/.
NEW = {"frames/TRAIN-00000-of-00001.tfrecord.gz": "new frames " * 11,
       "schema.json": '{"version": 2, "extra": true}\n',
       "rejected.jsonl": '{"id": "0X1", "reason": "no_tracings"}\n'}
NEWER = {"frames/TEST-00000-of-00001.tfrecord.gz": "newer frames",
         "videos/TEST-00000-of-00001.tfrecord.gz": "newer videos",
         "schema.json": "{}"}
# Not owned, so never touched; "frames_extra" starts like an owned name (a prefix bug would delete it).
UNOWNED = {"notes.txt": "a user's notes", "frames_extra/keep.txt": "a sibling folder"}
LOCAL_STEPS = (["remove manifest"] + [f"set aside {n}" for n in OWNED] + [f"move in {n}" for n in OWNED]
               + ["write manifest", "remove staging"])
GCS_STEPS = (["delete manifest"] + [f"delete old {n}" for n in OWNED] + [f"copy {n}" for n in OWNED]
             + ["upload manifest", "delete staging"])
CHILD = str(REPO_ROOT / "tests" / "publish_child.py")


class Killed(BaseException):
    """Raised by an observer to stop a run dead: nothing in lvseg.publish catches it."""


@pytest.fixture(params=["local", "gs"])
def out(request, tmp_path) -> str:
    if request.param == "local":
        return str(tmp_path / "out")
    return request.getfixturevalue("gcs_bucket") + "/out"


def write(root: str, files: dict[str, str]) -> None:
    for relative, text in files.items():
        storage.write_text(storage.join(root, relative), text)


def everything(root: str) -> dict[str, str]:
    """{relative path: text} of every file under root."""
    cut = len(root.rstrip("/")) + 1
    return {path[cut:].replace(os.sep, "/"): storage.read_text(path) for path in storage.list_files(root)}


def owned_files(root: str) -> dict[str, str]:
    return {rel: text for rel, text in everything(root).items() if rel.split("/")[0] in OWNED}


def sizes(files: dict[str, str]) -> dict[str, int]:
    return {rel: len(text.encode()) for rel, text in sorted(files.items())}


def full_run(out: str, files: dict[str, str]) -> dict:
    run = begin(out, OWNED)
    write(run.staging, files)
    try:
        return publish(run, OWNED, {"stage": "test"})
    finally:
        release(run)


def outcome(out: str, old: dict) -> str:
    """'refused', 'old' or 'new', after checking that a readable OUT holds exactly that run's bytes."""
    try:
        manifest = read_complete(out)
    except PublicationError as err:
        assert "\n" not in str(err)
        return "refused"
    which = "old" if manifest["run_id"] == old["run_id"] else "new"
    assert owned_files(out) == (OLD if which == "old" else NEW)
    return which


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_round_trip_and_a_rerun_replaces_everything_it_owns(out):
    write(out, UNOWNED)
    first = full_run(out, OLD)
    assert read_complete(out) == first
    assert first["files"] == sizes(OLD) and first["owned"] == list(OWNED) and first["stage"] == "test"
    second = full_run(out, NEW)
    assert read_complete(out) == second and second["run_id"] != first["run_id"]
    assert everything(out) == {**NEW, **UNOWNED, MANIFEST: storage.read_text(storage.join(out, MANIFEST))}


def test_swap_steps_are_the_documented_sequence(out):
    steps = []
    run = begin(out, OWNED)
    write(run.staging, NEW)
    publish(run, OWNED, {}, steps.append)
    release(run)
    assert steps == (GCS_STEPS if storage.is_gcs(out) else LOCAL_STEPS)


def _quietly(target) -> None:
    with open(os.devnull, "w") as sys.stderr:  # the child's traceback is expected
        target()


def kill_run(out: str, stop_at: str) -> None:
    """A run of NEW into OUT killed right after ``stop_at``: its lock and its staging stay behind."""
    def run_until_killed():
        run = begin(out, OWNED)
        write(run.staging, NEW)

        def observer(step: str) -> None:
            if step == stop_at:
                raise Killed(step)
        publish(run, OWNED, {"stage": "test"}, observer)

    if storage.is_gcs(out):
        with pytest.raises(Killed):
            run_until_killed()
        return
    # Locally in a forked process, so that afterwards the lock's pid is dead, as after a real kill.
    child = multiprocessing.get_context("fork").Process(target=_quietly, args=(run_until_killed,))
    child.start()
    child.join(60)
    assert child.exitcode == 1


def recover(out: str, caplog) -> None:
    """After a kill: a fresh begin succeeds (stale lock, stale staging) and a new run publishes."""
    if storage.is_gcs(out):
        staging = [p for p in storage.list_files(out) if "/.tmp-" in p]
    else:
        staging = [name for name in os.listdir(out) if name.startswith(".tmp-")]
    if storage.is_gcs(out):  # a gs:// lock cannot be proven dead: the refusal says how to remove it
        with pytest.raises(PublicationError, match="gcloud storage rm --if-generation-match=") as err:
            begin(out, OWNED)
        assert storage.join(out, LOCK) in one_line(err)
        storage.remove_tree(storage.join(out, LOCK))
    with caplog.at_level(logging.WARNING):
        run = begin(out, OWNED)
    if not storage.is_gcs(out):
        assert "took over the lock" in caplog.text
    assert bool(run.removed_staging) == bool(staging)
    assert all(folder in caplog.text for folder in run.removed_staging)
    write(run.staging, NEWER)
    publish(run, OWNED, {"stage": "test"})
    release(run)
    assert read_complete(out)["files"] == sizes(NEWER)
    assert everything(out) == {**NEWER, **UNOWNED, MANIFEST: storage.read_text(storage.join(out, MANIFEST))}


def test_a_kill_after_any_step_leaves_a_refused_or_complete_folder(out, caplog):
    steps = GCS_STEPS if storage.is_gcs(out) else LOCAL_STEPS
    marker = steps.index("upload manifest" if storage.is_gcs(out) else "write manifest")
    for index, step in enumerate(steps):
        root = storage.join(out, f"case{index}")
        write(root, UNOWNED)
        old = full_run(root, OLD)
        kill_run(root, step)
        assert outcome(root, old) == ("refused" if index < marker else "new"), step
        assert {rel: text for rel, text in everything(root).items() if rel in UNOWNED} == UNOWNED
        recover(root, caplog)
        caplog.clear()


@pytest.mark.parametrize("stop_at", ["set aside videos", "move in frames", "write manifest"])
def test_sigkill_in_the_middle_of_a_local_publish(tmp_path, caplog, stop_at):
    out = str(tmp_path / "out")
    write(out, UNOWNED)
    old = full_run(out, OLD)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"out": out, "owned": OWNED, "outputs": NEW, "stop_at": stop_at}))
    child = subprocess.Popen([sys.executable, CHILD, "stop", str(spec)], cwd=REPO_ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = child.stdout.readline()
    assert line == "STOPPED\n", child.stderr.read()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(60)
    child.stdout.close()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert outcome(out, old) == ("new" if stop_at == "write manifest" else "refused")
    recover(out, caplog)


def test_a_worker_process_publishes_the_run_its_launcher_began(out, tmp_path):
    run = begin(out, OWNED)
    (tmp_path / "run.pkl").write_bytes(pickle.dumps(run))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"run_pickle": str(tmp_path / "run.pkl"), "owned": OWNED, "outputs": NEW}))
    done = subprocess.run([sys.executable, CHILD, "publish", str(spec)], cwd=REPO_ROOT, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert storage.exists(run.lock)  # the launcher still holds it until it releases
    release(run)
    assert not storage.exists(run.lock)
    assert read_complete(out) == json.loads(done.stdout) and owned_files(out) == NEW


def test_a_second_run_is_refused_while_the_first_holds_the_lock(out):
    first = begin(out, OWNED)
    write(first.staging, NEW)
    with pytest.raises(PublicationError) as err:
        begin(out, OWNED)
    message = one_line(err)
    assert first.run_id in message and "since" in message
    lock = storage.join(out, LOCK)
    assert (f"gcloud storage rm --if-generation-match={first.lock_generation} {lock}" if storage.is_gcs(out)
            else f"rm {lock}") in message
    assert owned_files(first.staging) == NEW  # the refused run did not clean a live run's staging
    release(first)
    release(first)
    second = begin(out, OWNED)
    assert second.removed_staging == (first.staging,)
    release(first)  # no longer first's lock: it stays
    assert publish_lock.holder(lock)["run_id"] == second.run_id
    release(second)
    assert not storage.exists(lock)


def test_stale_staging_is_removed_and_reported(out, caplog):
    write(out, UNOWNED)
    stale = storage.join(out, ".tmp-20240101T000000Z-deadbeef")
    write(stale, {"frames/TRAIN-00000-of-00001.tfrecord.gz": "half written", "plan.pkl": "x"})
    with caplog.at_level(logging.WARNING):
        run = begin(out, OWNED)
    assert run.removed_staging == (stale,) and stale in caplog.text
    release(run)
    assert everything(out) == UNOWNED


def _damage_missing(out):
    storage.remove_tree(storage.join(out, "frames/TRAIN-00001-of-00002.tfrecord.gz"))


def _damage_extra(out):
    write(out, {"frames/TRAIN-00009-of-00010.tfrecord.gz": "foreign"})


def _damage_size(out):
    write(out, {"schema.json": '{"version": 1, "edited": true}\n'})


def _damage_unlisted(out):
    write(out, {MANIFEST: json.dumps({"input_videos": 10})})


@pytest.mark.parametrize("damage,expected", [
    (lambda out: storage.remove_tree(storage.join(out, MANIFEST)), "has no manifest.json"),
    (_damage_missing, "(1 missing, 0 unlisted, 0 of another size; e.g. frames/TRAIN-00001-of-00002"),
    (_damage_extra, "(0 missing, 1 unlisted, 0 of another size; e.g. frames/TRAIN-00009-of-00010"),
    (_damage_size, "(0 missing, 0 unlisted, 1 of another size; e.g. schema.json"),
    (_damage_unlisted, "does not list its published files"),
], ids=["no-manifest", "missing", "extra", "size", "legacy-manifest"])
def test_read_complete_refuses_a_folder_that_differs_from_its_manifest(out, damage, expected):
    full_run(out, OLD)
    damage(out)
    with pytest.raises(PublicationError) as err:
        read_complete(out)
    message = one_line(err)
    assert expected in message and out in message


def test_read_complete_refuses_a_folder_never_published(out):
    with pytest.raises(PublicationError, match="has no manifest.json"):
        read_complete(out)


def test_a_run_that_lost_its_lock_does_not_publish(out):
    old = full_run(out, OLD)
    run = begin(out, OWNED)
    write(run.staging, NEW)
    storage.remove_tree(run.lock)  # someone removed a live run's lock, and another run began
    other = begin(out, OWNED)
    with pytest.raises(PublicationError, match="no longer holds"):
        publish(run, OWNED, {"stage": "test"})
    release(other)
    assert read_complete(out) == old and owned_files(out) == OLD


def test_a_retried_publish(out):
    """Completed: returns the same manifest. Interrupted: gs:// (copies) repeats it, local disk refuses."""
    run = begin(out, OWNED)
    write(run.staging, OLD)
    done = publish(run, OWNED, {"stage": "test"})
    assert publish(run, OWNED, {"stage": "test"}) == done == read_complete(out)
    release(run)
    run = begin(out, OWNED)
    write(run.staging, NEW)
    steps = GCS_STEPS if storage.is_gcs(out) else LOCAL_STEPS

    def observer(step: str) -> None:
        if step == steps[6]:
            raise Killed(step)
    with pytest.raises(Killed):
        publish(run, OWNED, {"stage": "test"}, observer)
    if storage.is_gcs(out):
        assert publish(run, OWNED, {"stage": "test"}) == read_complete(out) and owned_files(out) == NEW
    else:
        with pytest.raises(PublicationError, match="started before and was interrupted"):
            publish(run, OWNED, {"stage": "test"})
    release(run)


def _lock_of(tmp_path, **fields) -> str:
    """OUT holding a lock of run earlier-run with these fields (no fields: an empty, half-created lock)."""
    out = str(tmp_path / "out")
    os.makedirs(out)
    with open(os.path.join(out, LOCK), "w") as f:
        f.write(json.dumps({**publish_lock.record("earlier-run"), **fields}) if fields else "")
    return out


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_local_lock_of_a_dead_process_on_this_host_is_taken_over(tmp_path, caplog):
    out = _lock_of(tmp_path, pid=dead_pid())
    with caplog.at_level(logging.WARNING):
        run = begin(out, OWNED)
    assert "took over the lock of run earlier-run" in caplog.text
    assert publish_lock.holder(run.lock)["run_id"] == run.run_id
    release(run)


def test_a_killed_launcher_not_yet_reaped_counts_as_dead(tmp_path):
    """A zombie still answers kill(pid, 0); its lock is stale all the same."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = pathlib.Path(f"/proc/{child.pid}/stat")
    deadline = time.monotonic() + 60
    while stat.read_text().rpartition(")")[2].split()[0] != "Z":  # exited, not reaped: no wait() yet
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        run = begin(_lock_of(tmp_path, pid=child.pid), OWNED)
        release(run)
    finally:
        child.wait()


@pytest.mark.parametrize("fields,expected", [
    ({"pid": os.getpid()}, "being written by run earlier-run"),                     # alive here
    ({"pid": 1, "host": "another-host"}, "pid 1 on another-host"),                  # cannot be proven dead
    ({}, "cannot be read"),                                                         # a half-created lock
], ids=["alive", "other-host", "unreadable"])
def test_a_local_lock_that_cannot_be_proven_stale_is_refused(tmp_path, fields, expected):
    out = _lock_of(tmp_path, **fields)
    with pytest.raises(PublicationError) as err:
        begin(out, OWNED)
    message = one_line(err)
    assert expected in message and f"rm {os.path.join(out, LOCK)}" in message


def test_owned_names_are_distinct_relative_names_and_never_the_marker(tmp_path):
    for owned in [(), ("frames", "frames"), ("frames", "frames/TRAIN"), ("frames//x",), ("frames/.x",),
                  (MANIFEST,), (LOCK,), (".tmp-x",)]:
        with pytest.raises(ValueError):
            begin(str(tmp_path / "out"), owned)


@pytest.mark.parametrize("theirs", [{"frames/mine.txt": "a user's file"}, {"schema.json": "a user's schema"}])
def test_a_folder_holding_files_under_owned_names_that_no_run_published_is_refused(out, theirs):
    write(out, {**theirs, **UNOWNED})
    with pytest.raises(PublicationError, match="never replaces files it does not own") as err:
        begin(out, OWNED)
    assert list(theirs)[0] in one_line(err)
    assert everything(out) == {**theirs, **UNOWNED}
    assert publish_lock.holder(storage.join(out, LOCK)) is None  # refused before anything was claimed


def test_a_file_added_by_hand_under_an_owned_name_is_not_deleted_by_the_next_run(out):
    full_run(out, OLD)
    write(out, {"frames/notes.txt": "added later"})
    with pytest.raises(PublicationError, match="frames/notes.txt"):
        begin(out, OWNED)
    assert storage.read_text(storage.join(out, "frames/notes.txt")) == "added later"


def test_another_stages_output_folder_is_refused(out):
    first = full_run(out, OLD)
    with pytest.raises(PublicationError, match="another stage") as err:
        begin(out, ("summary.json", "report.html"))
    assert "owning frames" in one_line(err)
    assert read_complete(out) == first
    with pytest.raises(PublicationError, match="another stage"):  # nor does a named stage with those names
        begin(out, OWNED, stage="named")
    assert publish_lock.holder(storage.join(out, LOCK)) is None


def test_a_named_stage_keeps_what_its_earlier_runs_published_under_other_names(out):
    for names in (("a.tflite", "a.json"), ("b.tflite", "b.json"), ("a.tflite", "a.json")):
        run = begin(out, names, stage="export", keep_others=True)
        write(run.staging, {name: f"{name} of {run.run_id}" for name in names})
        published = publish(run, names, {})
        release(run)
    assert sorted(published["files"]) == ["a.json", "a.tflite", "b.json", "b.tflite"]
    assert published["publisher"] == "export" and read_complete(out) == published
    with pytest.raises(PublicationError, match="another stage"):
        begin(out, OWNED)


def test_a_failed_run_leaves_no_staging_and_no_lock(out):
    with pytest.raises(RuntimeError):
        with claimed(out, OWNED) as run:
            write(run.staging, NEW)
            raise RuntimeError("the job failed")
    assert not [p for p in storage.list_files(out) if "/.tmp-" in p]
    assert not storage.is_gcs(out) and not os.path.exists(run.staging) or storage.is_gcs(out)
    assert publish_lock.holder(storage.join(out, LOCK)) is None


def test_the_emulator_ignores_generation_preconditions(gcs_bucket):
    """Why the next test replays the race: on Cloud Storage the second create answers 412."""
    blob = storage.gcs_client().bucket(gcs_bucket[len("gs://"):]).blob("probe")
    blob.upload_from_string("first", if_generation_match=0)
    blob.upload_from_string("second", if_generation_match=0)
    assert storage.read_text(f"{gcs_bucket}/probe") == "second"


def test_two_gcs_launchers_cannot_both_take_the_lock(gcs_bucket, monkeypatch):
    """The race the precondition settles, replayed: a rival creates the lock between our check and our
    create, and our conditional create answers 412 as Cloud Storage does. Without if_generation_match=0
    in the request the replay does not trigger and begin would wrongly succeed."""
    from google.api_core.exceptions import PreconditionFailed
    from google.cloud.storage import Blob

    real_upload = Blob.upload_from_string

    def racing_upload(self, data, *args, **kwargs):
        if self.name.endswith("/" + LOCK) and kwargs.get("if_generation_match") == 0:
            real_upload(self, json.dumps(publish_lock.record("rival-run")))
            raise PreconditionFailed("At least one of the pre-conditions you specified did not hold.")
        return real_upload(self, data, *args, **kwargs)

    monkeypatch.setattr(Blob, "upload_from_string", racing_upload)
    out = f"{gcs_bucket}/out"
    with pytest.raises(PublicationError) as err:
        begin(out, OWNED)
    assert "being written by run rival-run" in one_line(err)
    assert publish_lock.holder(storage.join(out, LOCK))["run_id"] == "rival-run"
