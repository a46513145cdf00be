"""Publishing a stage's outputs into an output folder OUT as a unit, on local disk or gs://.

A run claims OUT with ``begin`` (OUT/.lock: a second run into OUT is refused), writes its outputs under
OUT/.tmp-<run_id>/, and ``publish`` swaps them in for the top-level names the stage owns. manifest.json
is the completion marker: removed first, written last, and it lists every published file with its size,
so ``read_complete``, which every consumer calls, refuses a folder a killed swap left half-done. Names
OUT holds that the stage does not own (a user's notes, another stage's outputs) are never touched.

What a user can rely on after a crash at any point: ``read_complete`` either refuses OUT or returns the
manifest of one complete run whose files are all there, never a mix of two runs; the next ``begin``
removes staging folders that killed runs left (logging each). A stale local lock of a dead process on
this machine is taken over; a gs:// lock cannot be proven dead, so the refusal says how to remove it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

from lvseg import publish_lock, publish_owner, publish_swap, storage
from lvseg.errors import UserError

MANIFEST = publish_swap.MANIFEST              # the completion marker: removed first, written last
LOCK = publish_lock.LOCK                      # OUT/.lock while a run is in progress
STAGING_PREFIX = publish_swap.STAGING_PREFIX  # OUT/.tmp-<run_id>/ holds a run's outputs until it publishes
log = logging.getLogger(__name__)


class PublicationError(UserError):
    """OUT cannot be claimed, published or read as complete; the message names OUT and what to do."""


@dataclasses.dataclass(frozen=True)
class Run:
    """One run's claim on an output folder; plain values only, so a Beam worker can receive it."""

    out: str
    run_id: str
    staging: str
    owned: tuple[str, ...]
    lock_generation: int | None = None   # gs://: the generation of our OUT/.lock (release's precondition)
    removed_staging: tuple[str, ...] = ()  # staging folders of killed runs that begin removed
    stage: str = ""                      # the publishing stage's name ("": known by its owned names)
    keep: tuple[str, ...] = ()           # names an earlier run of the stage published that this one leaves be

    @property
    def lock(self) -> str:
        return storage.join(self.out, LOCK)


@contextlib.contextmanager
def claimed(out: str, owned: tuple[str, ...], stage: str = "", keep_others: bool = False) -> Iterator[Run]:
    """``begin`` a run for the block and ``release`` it however the block ends (publish inside it); a
    block that fails (an error, Ctrl-C, SIGTERM) also removes the run's staging folder on the way out."""
    run = begin(out, owned, stage, keep_others)
    try:
        yield run
    except BaseException:
        discard(run)
        raise
    finally:
        release(run)


def begin(out: str, owned: tuple[str, ...], stage: str = "", keep_others: bool = False) -> Run:
    """Claim OUT for a new run: take OUT/.lock (PublicationError if a live run holds it), check that OUT
    holds nothing under the owned names but what an earlier run of this stage published (publish_owner),
    remove the staging folders of killed runs (logging each), and return the run with its staging folder.

    ``stage`` names the stage in the manifest (without one, a stage is known by its owned names);
    ``keep_others``: names the previous run of the stage published and this one does not own stay
    published (export: one EXPORT_DIR collects the variants of several runs).
    """
    out, owned = _clean_out(out), _check_owned(owned)
    if not storage.is_gcs(out):
        if os.path.isfile(out):
            raise PublicationError(f"{out} is a file, not an output folder; choose another output path")
        os.makedirs(out, exist_ok=True)
    run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    lock = storage.join(out, LOCK)
    try:
        generation = publish_lock.acquire(lock, publish_lock.record(run_id))
    except publish_lock.LockHeld as held:
        raise PublicationError(_held_message(out, lock, held.holder)) from None
    run = Run(out, run_id, storage.join(out, STAGING_PREFIX + run_id), owned, generation, stage=stage)
    try:
        try:
            keep = publish_owner.check(out, owned, stage, keep_others)
        except publish_owner.NotOwned as err:
            raise PublicationError(str(err)) from None
        run = dataclasses.replace(run, removed_staging=_remove_stale_staging(out), keep=keep)
        if not storage.is_gcs(out):
            os.makedirs(run.staging)
    except BaseException:
        release(run)
        raise
    return run


def publish(run: Run, owned: tuple[str, ...], manifest: dict,
            observer: Callable[[str], None] | None = None) -> dict:
    """Swap the staged outputs into OUT as a unit; returns the manifest as written (``run_id``, ``owned``
    and ``files``: {relative path: size in bytes} added). ``observer(step)`` is called after every step.
    Calling it again for a run that completed returns the published manifest (a retried Beam worker)."""
    if tuple(owned) != run.owned:
        raise ValueError(f"publish owns {tuple(owned)} but begin claimed {run.owned}")
    try:
        done = _manifest_of(run.out)
    except PublicationError:  # a damaged manifest is replaced like any other
        done = None
    if done is not None and done.get("run_id") == run.run_id:
        return done
    if not publish_lock.still_ours(run.lock, run.run_id, run.lock_generation):
        raise PublicationError(f"{run.out}: run {run.run_id} no longer holds {run.lock}, so another run may be "
                               f"writing there and this one was not published; run the stage again")
    staged = publish_swap.listing(run.staging, run.owned)
    kept = publish_swap.listing(run.out, run.keep) if run.keep else {}
    written = {**manifest, "run_id": run.run_id, "owned": list(run.owned + run.keep),
               "files": dict(sorted({**kept, **staged}.items()))}
    if run.stage:
        written[publish_owner.STAGE_KEY] = run.stage
    text = json.dumps(written, indent=2, sort_keys=True) + "\n"
    step = observer or (lambda name: None)
    if not storage.is_gcs(run.out):
        _check_local_staging(run)
    # What this swap may leave in OUT, so that the next run knows those files are its stage's own even
    # when a kill stops the swap between removing the manifest and writing the new one.
    publish_owner.write_journal(run.staging, run.owned, {**publish_swap.listing(run.out, run.owned), **staged})
    if storage.is_gcs(run.out):
        publish_swap.swap_gcs(run.out, run.staging, run.owned, staged, text, step)
    else:
        publish_swap.swap_local(run.out, run.staging, run.owned, text, step)
    log.info("%s: published run %s (%d files)", run.out, run.run_id, len(staged))
    return json.loads(text)


def discard(run: Run) -> None:
    """Remove a run's staging folder (a failed or interrupted run: nothing of it is published)."""
    try:
        paths = storage.list_files(run.staging) if storage.is_gcs(run.out) else [run.staging]
        publish_swap.remove(run.out, paths)
    except Exception as err:  # the lock is still released; the next run removes what is left, and says so
        log.warning("%s: could not remove the staging folder (%s)", run.staging, err)


def release(run: Run) -> None:
    """Drop OUT/.lock if it is still this run's (idempotent); call it on success and on failure."""
    publish_lock.release(run.lock, run.run_id, run.lock_generation)


def read_complete(out: str) -> dict:
    """The manifest of a completely published OUT, or PublicationError: no manifest (never published, or
    a publication was killed), or the files under the owned names differ from its listing (a killed swap,
    or files changed by hand). One listing call on gs://."""
    out = _clean_out(out)
    path = storage.join(out, MANIFEST)
    manifest = _manifest_of(out)
    if manifest is None:
        raise PublicationError(f"{out} has no {MANIFEST}: it was never published, or a publication was "
                               f"killed before it completed; run the stage that writes it again")
    files, listed = manifest.get("files"), manifest.get("owned")
    owned = None
    if isinstance(files, dict) and isinstance(listed, list):
        try:
            owned = _check_owned(tuple(listed))
        except ValueError:
            pass
    if owned is None or not isinstance(files, dict):
        raise PublicationError(f"{path} does not list its published files (written by an older lvseg, or "
                               f"edited); run the stage that writes {out} again")
    found = publish_swap.listing(out, owned)
    if found != files:
        raise PublicationError(_mismatch_message(out, files, found))
    return manifest


def _clean_out(out: str) -> str:
    out = os.fspath(out)
    return out.rstrip("/") if out.rstrip("/") and not out.endswith("://") else out


def _check_owned(owned: tuple[str, ...]) -> tuple[str, ...]:
    """Relative names ("a" or "a/b"), none inside another, never the marker, the lock or staging (all of
    which start with a dot), no part starting with a dot."""
    owned = tuple(owned)
    bad = [n for n in owned if not isinstance(n, str) or not n or os.sep != "/" and os.sep in n
           or any(not part or part.startswith(".") for part in n.split("/")) or n == MANIFEST]
    nested = [n for n in owned if not bad and publish_swap.is_owned(n, tuple(o for o in owned if o != n))]
    if not owned or bad or nested or len(set(owned)) != len(owned):
        raise ValueError(f"owned must be distinct relative names, none inside another, other than {MANIFEST}: "
                         f"{owned!r}")
    return owned


def _held_message(out: str, lock: str, holder: dict | None) -> str:
    if storage.is_gcs(lock):
        generation = f"--if-generation-match={holder['generation']} " if holder and "generation" in holder else ""
        remove = f"gcloud storage rm {generation}{lock}"
    else:
        remove = f"rm {lock}"
    if not holder or "run_id" not in holder:
        return (f"{out} is locked by {lock}, which cannot be read (a launcher killed while taking it?); "
                f"if no run is writing {out}, remove it: {remove}")
    return (f"{out} is being written by run {holder['run_id']} (pid {holder.get('pid')} on "
            f"{holder.get('host')}, since {holder.get('started_utc')}); wait for it to finish, "
            f"or if that run is dead, remove its lock: {remove}")


def _mismatch_message(out: str, listed: dict, found: dict) -> str:
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    resized = sorted(name for name in set(listed) & set(found) if listed[name] != found[name])
    first = (missing + extra + resized)[0]
    return (f"{out} does not match its {MANIFEST} ({len(missing)} missing, {len(extra)} unlisted, "
            f"{len(resized)} of another size; e.g. {first}): a publication was interrupted or files were "
            f"changed by hand; run the stage that writes it again")


def _manifest_of(out: str) -> dict | None:
    path = storage.join(out, MANIFEST)
    try:
        text = storage.read_text(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as err:  # a folder named manifest.json, bytes that are not UTF-8...
        raise PublicationError(f"{path} cannot be read ({type(err).__name__}); run the stage that writes "
                               f"{out} again") from None
    try:
        manifest = json.loads(text)
    except ValueError:
        raise PublicationError(f"{path} is not valid JSON; run the stage that writes {out} again") from None
    if not isinstance(manifest, dict):
        raise PublicationError(f"{path} is not a manifest; run the stage that writes {out} again")
    return manifest


def _check_local_staging(run: Run) -> None:
    if not os.path.isdir(run.staging):
        raise PublicationError(f"{run.staging} is missing: run {run.run_id}'s outputs are gone; run the stage again")
    if os.path.lexists(os.path.join(run.staging, publish_swap.REPLACED)):  # renames cannot be repeated safely
        raise PublicationError(f"{run.out}: a publication of run {run.run_id} started before and was "
                               f"interrupted; run the stage again")


def _remove_stale_staging(out: str) -> tuple[str, ...]:
    """Delete OUT/.tmp-*: under our lock, each belongs to a run that was killed or failed."""
    folders = publish_swap.stale_staging(out)
    for folder, paths in sorted(folders.items()):
        publish_swap.remove(out, paths)
        log.warning("%s: removed the staging folder of a run that did not finish", folder)
    return tuple(sorted(folders))
