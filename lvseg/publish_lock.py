"""OUT/.lock: at most one run writes an output folder at a time.

Local disk: the lock is created with O_CREAT|O_EXCL and names its run, host and pid, so a lock left by
a process of this machine that is no longer running is provably stale and taken over. Cloud Storage:
the lock object is created with the precondition ``if_generation_match=0`` (exactly one creator wins)
and deleted only while its generation is still ours; a process elsewhere cannot be proven dead, so a
held gs:// lock is never taken over. lvseg.publish turns ``LockHeld`` into a one-line user error.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from datetime import datetime, timezone

from lvseg import storage

LOCK = ".lock"
_UNREADABLE_RETRIES = 3  # a lock just created by O_EXCL is empty until its creator writes it
_RETRY_S = 0.1
log = logging.getLogger(__name__)


class LockHeld(Exception):
    """Another run holds the lock; ``holder`` is its record (None when it cannot be read)."""

    def __init__(self, path: str, holder: dict | None):
        super().__init__(path)
        self.path, self.holder = path, holder


def record(run_id: str) -> dict:
    """What a lock says about its run: enough to find it, and (locally) to prove it dead."""
    return {"run_id": run_id, "host": socket.gethostname(), "pid": os.getpid(),
            "started_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def acquire(path: str, claim: dict) -> int | None:
    """Create the lock at ``path`` for ``claim``; returns its generation on gs:// (None locally)."""
    if storage.is_gcs(path):
        return _acquire_gcs(path, claim)
    _acquire_local(path, claim)
    return None


def holder(path: str) -> dict | None:
    """The record of the lock at ``path`` (gs:// adds its ``generation``), or None when there is none."""
    if storage.is_gcs(path):
        return _gcs_holder(path)
    return _local_holder(path)


def still_ours(path: str, run_id: str, generation: int | None) -> bool:
    found = holder(path)
    if not found or found.get("run_id") != run_id:
        return False
    return generation is None or found.get("generation") == generation


def release(path: str, run_id: str, generation: int | None) -> bool:
    """Delete the lock if it is still this run's; True when it was deleted."""
    if storage.is_gcs(path):
        from google.api_core.exceptions import NotFound, PreconditionFailed

        if not still_ours(path, run_id, generation):
            return False
        try:
            _gcs_blob(path).delete(if_generation_match=generation, **storage.gcs_call())
        except (NotFound, PreconditionFailed):
            return False
        return True
    if not still_ours(path, run_id, None):
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _local_holder(path: str) -> dict | None:
    """The lock's record; ``{}`` for a lock that exists but cannot be parsed; None when there is none."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _acquire_local(path: str, claim: dict) -> None:
    unreadable = 0
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            found = _local_holder(path)
            if found is None:  # released between our create and our read: try again
                continue
            if not found:
                unreadable += 1
                if unreadable > _UNREADABLE_RETRIES:
                    raise LockHeld(path, None) from None
                time.sleep(_RETRY_S)
                continue
            if not _dead_here(found):
                raise LockHeld(path, found) from None
            _take_over(path, found)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(claim, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return None


def _dead_here(found: dict) -> bool:
    """True only when the lock's process was on this machine and is not running any more."""
    pid = found.get("pid")
    if found.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    try:  # a killed process its parent has not reaped yet still answers kill(0): a zombie is dead
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _take_over(path: str, stale: dict) -> None:
    """Remove a stale lock, unless another launcher replaced it meanwhile (then it is put back)."""
    aside = f"{path}.stale-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(path, aside)  # only one launcher's rename of this lock succeeds
    except FileNotFoundError:
        return
    if _local_holder(aside) != stale:
        os.rename(aside, path)
        return
    os.unlink(aside)
    log.warning("%s: took over the lock of run %s (pid %s on this host is not running)",
                path, stale.get("run_id"), stale.get("pid"))


def _gcs_blob(path: str):
    bucket, key = storage.split_gcs(path)
    return storage.gcs_client().bucket(bucket).blob(key)


def _gcs_holder(path: str) -> dict | None:
    from google.api_core.exceptions import NotFound

    bucket, key = storage.split_gcs(path)
    blob = storage.gcs_client().bucket(bucket).get_blob(key, **storage.gcs_call())
    if blob is None:
        return None
    generation = int(blob.generation)  # read first: a download resets it from headers the emulator omits
    try:
        found = json.loads(blob.download_as_bytes(**storage.gcs_call()))
    except NotFound:
        return None
    except ValueError:
        found = {}
    found = found if isinstance(found, dict) else {}
    return {**found, "generation": generation}


def _acquire_gcs(path: str, claim: dict) -> int:
    from google.api_core.exceptions import PreconditionFailed

    found = _gcs_holder(path)
    if found is not None:
        raise LockHeld(path, found)
    blob = _gcs_blob(path)
    try:
        # The precondition is what makes two launchers unable to both win; the check above only
        # gives a readable refusal (and is all that gcp-storage-emulator, which ignores it, enforces).
        blob.upload_from_string(json.dumps(claim, sort_keys=True) + "\n", content_type="application/json",
                                if_generation_match=0, **storage.gcs_call())
    except PreconditionFailed:
        raise LockHeld(path, _gcs_holder(path)) from None
    return int(blob.generation)
