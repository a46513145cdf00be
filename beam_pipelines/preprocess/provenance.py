"""The RECORDS root as a unit: staged in a temporary folder, described by a manifest, then swapped in.

A run writes everything under ``RECORDS/.tmp-<uuid>/`` and only the last step moves it into place,
so a re-run into the same root replaces the previous output and never mixes the two:
  local:  old outputs are renamed into the staging folder, the new ones renamed in, staging deleted;
  gs://:  old objects deleted (manifest.json first), new ones copied server-side (manifest.json last),
          staging deleted. Object stores have no rename, so a reader racing the swap may briefly see
          an incomplete root, never a mixed one: manifest.json is the commit marker.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil

from lvseg import storage

# Everything a run owns under RECORDS, in publishing order (manifest.json last: the commit marker).
PUBLISHED = ("frames", "videos", "schema.json", "rejected.jsonl", "manifest.json")
STAGING_PREFIX = ".tmp-"
_VERSIONED = {"lvseg": "lvseg", "beam": "apache-beam", "tensorflow": "tensorflow", "numpy": "numpy",
              "opencv": "opencv-python-headless"}


def staging_root(out: str, run_id: str) -> str:
    """The temporary folder of one run, inside the output root (same filesystem/bucket: cheap moves)."""
    return storage.join(out, STAGING_PREFIX + run_id)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that decide the records' bytes."""
    versions = {}
    for key, dist in _VERSIONED.items():
        try:
            versions[key] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[key] = "unknown"
    if versions["opencv"] == "unknown":
        import cv2

        versions["opencv"] = cv2.__version__
    return versions


def _video_sizes(root: str) -> list[tuple[str, int]]:
    """(name relative to Videos/, size) of every file under Videos/, sorted; one listing call."""
    folder = storage.join(root, "Videos")
    if not storage.is_gcs(root) and not os.path.isdir(folder):
        return []
    return [(os.path.relpath(path, folder).replace(os.sep, "/") if not storage.is_gcs(root)
             else path[len(folder):].lstrip("/"), size) for path, size in storage.list_sizes(folder)]


def input_fingerprint(root: str) -> str:
    """sha256 of FileList.csv and VolumeTracings.csv bytes plus every video's name and size.

    Sizes, not video bytes: hashing 10,030 videos would mean reading the whole dataset on the driver.
    """
    digest = hashlib.sha256()
    for name in ("FileList.csv", "VolumeTracings.csv"):
        data = storage.read_bytes(storage.join(root, name))
        digest.update(f"{name} {len(data)}\n".encode())
        digest.update(data)
    for name, size in _video_sizes(root):
        digest.update(f"Videos/{name} {size}\n".encode())
    return "sha256:" + digest.hexdigest()


def _gcs_copy(src: str, dst: str) -> None:
    client = storage.gcs_client()
    src_bucket, src_key = storage.split_gcs(src)
    dst_bucket, dst_key = storage.split_gcs(dst)
    source = client.bucket(src_bucket).blob(src_key)
    client.bucket(src_bucket).copy_blob(source, client.bucket(dst_bucket), dst_key)


def _gcs_files(path: str) -> list[str]:
    """The object at ``path`` itself, or every object under it as a folder."""
    bucket, key = storage.split_gcs(path)
    if storage.gcs_client().bucket(bucket).blob(key).exists():
        return [path]
    return storage.list_files(path)


def publish(staging: str, out: str) -> None:
    """Replace RECORDS' outputs (all of PUBLISHED, present or not in staging) with the staged ones."""
    if storage.is_gcs(out):
        for name in reversed(PUBLISHED):
            storage.remove_tree(storage.join(out, name))
        for name in PUBLISHED:
            prefix = storage.join(staging, name)
            for src in _gcs_files(prefix):
                _gcs_copy(src, storage.join(out, name) + src[len(prefix):])
        storage.remove_tree(staging)
        return
    replaced = os.path.join(staging, ".replaced")
    os.makedirs(replaced, exist_ok=True)
    for name in reversed(PUBLISHED):
        if os.path.lexists(os.path.join(out, name)):
            os.rename(os.path.join(out, name), os.path.join(replaced, name))
    for name in PUBLISHED:
        if os.path.lexists(os.path.join(staging, name)):
            os.rename(os.path.join(staging, name), os.path.join(out, name))
    shutil.rmtree(staging)
