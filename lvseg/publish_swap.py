"""The swap at the heart of lvseg.publish: staged outputs replace OUT's owned names, marker last.

Local disk: renames within one filesystem, each atomic. Cloud Storage has no rename: objects are
deleted and copied server-side, and one object upload (manifest.json) is atomic. Either way the marker
is removed before anything else changes and written after everything else is in place, and ``step``
is called after every step (progress logging; the kill-at-every-step test).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from lvseg import storage

MANIFEST = "manifest.json"
STAGING_PREFIX = ".tmp-"
REPLACED = ".replaced"  # local: the old outputs, moved aside inside the staging folder
_MANIFEST_TEMP = ".manifest.json.partial"


def is_owned(relative: str, owned: tuple[str, ...]) -> bool:
    return any(relative == name or relative.startswith(name + "/") for name in owned)


def listing(root: str, owned: tuple[str, ...]) -> dict[str, int]:
    """{path relative to root, with "/": size in bytes} of every file under the owned names, sorted."""
    found = {}
    if storage.is_gcs(root):
        prefix = root.rstrip("/") + "/"
        for path, size in storage.list_sizes(root):  # one listing call
            relative = path[len(prefix):]
            if not relative.endswith("/") and is_owned(relative, owned):  # "name/": a console folder marker
                found[relative] = size
        return found
    for name in owned:
        top = os.path.join(root, name)
        if os.path.isfile(top):
            found[name] = os.path.getsize(top)
        for path, size in storage.list_sizes(top) if os.path.isdir(top) else []:
            found[os.path.relpath(path, root).replace(os.sep, "/")] = size
    return dict(sorted(found.items()))


def _fsync_dir(path: str) -> None:
    """Make the renames inside ``path`` durable (against a power cut, not just a kill)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename(source: str, target: str) -> None:
    """os.rename, creating the target's folder for an owned name inside a folder ("rejected/a.tflite")."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.rename(source, target)


def swap_local(out: str, staging: str, owned: tuple[str, ...], text: str, step: Callable[[str], None]) -> None:
    """remove manifest -> set aside each old owned name -> move in each staged one -> write manifest
    (temp file + rename) -> remove staging. Not repeatable: the caller refuses a second try."""
    if os.path.lexists(os.path.join(out, MANIFEST)):
        os.unlink(os.path.join(out, MANIFEST))
        _fsync_dir(out)
    step("remove manifest")
    replaced = os.path.join(staging, REPLACED)
    os.mkdir(replaced)
    for name in owned:
        if os.path.lexists(os.path.join(out, name)):
            _rename(os.path.join(out, name), os.path.join(replaced, name))
        step(f"set aside {name}")
    for name in owned:
        if os.path.lexists(os.path.join(staging, name)):
            _rename(os.path.join(staging, name), os.path.join(out, name))
        step(f"move in {name}")
    _fsync_dir(out)  # the outputs' renames are durable before the marker that vouches for them
    temp = os.path.join(staging, _MANIFEST_TEMP)
    with open(temp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(temp, os.path.join(out, MANIFEST))
    _fsync_dir(out)
    step("write manifest")
    shutil.rmtree(staging)
    step("remove staging")


def delete_objects(paths: list[str]) -> None:
    from google.api_core.exceptions import NotFound

    client = storage.gcs_client()
    for path in paths:
        bucket, key = storage.split_gcs(path)
        try:
            client.bucket(bucket).blob(key).delete(**storage.gcs_call())
        except NotFound:
            pass


def swap_gcs(out: str, staging: str, owned: tuple[str, ...], staged: dict[str, int], text: str,
             step: Callable[[str], None]) -> None:
    """delete manifest -> delete each old owned name's objects -> copy each staged name server-side ->
    upload manifest -> delete staging. Repeatable: staging is deleted only after the marker is up."""
    client = storage.gcs_client()
    present = listing(out, owned)
    delete_objects([storage.join(out, MANIFEST)])
    step("delete manifest")
    for name in owned:
        delete_objects([storage.join(out, rel) for rel in present if is_owned(rel, (name,))])
        step(f"delete old {name}")
    for name in owned:
        for rel in (rel for rel in staged if is_owned(rel, (name,))):
            src_bucket, src_key = storage.split_gcs(storage.join(staging, rel))
            dst_bucket, dst_key = storage.split_gcs(storage.join(out, rel))
            source = client.bucket(src_bucket)
            source.copy_blob(source.blob(src_key), client.bucket(dst_bucket), dst_key, **storage.gcs_call())
        step(f"copy {name}")
    storage.write_text(storage.join(out, MANIFEST), text)
    step("upload manifest")
    delete_objects(storage.list_files(staging))
    step("delete staging")


def stale_staging(out: str) -> dict[str, list[str]]:
    """{OUT/.tmp-* folder: the files in it} (gs://: from one listing; locally the folder itself)."""
    if not storage.is_gcs(out):
        return {entry.path: [entry.path] for entry in os.scandir(out) if entry.name.startswith(STAGING_PREFIX)}
    prefix = out.rstrip("/") + "/"
    folders: dict[str, list[str]] = {}
    for path in storage.list_files(out):
        top = path[len(prefix):].split("/", 1)[0]
        if top.startswith(STAGING_PREFIX):
            folders.setdefault(storage.join(out, top), []).append(path)
    return folders


def remove(out: str, paths: list[str]) -> None:
    """Delete files or folders (local) or objects (gs://)."""
    if storage.is_gcs(out):
        delete_objects(paths)
    else:
        for path in paths:
            storage.remove_tree(path)
