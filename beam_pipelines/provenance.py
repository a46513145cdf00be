"""Where a job's output came from: a fingerprint of its input dataset and the versions that made its bytes.

Both go into the output's manifest.json, so a reader can tell whether two RECORDS roots (or analyses) were
made from the same dataset with the same code; publication itself is lvseg.publish's.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os

from lvseg import storage

_VERSIONED = {"lvseg": "lvseg", "beam": "apache-beam", "tensorflow": "tensorflow", "numpy": "numpy",
              "opencv": "opencv-python-headless"}


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


def _sizes(folder: str) -> list[tuple[str, int]]:
    """(name relative to ``folder``, size) of every file under it, sorted; one listing call."""
    if not storage.is_gcs(folder) and not os.path.isdir(folder):
        return []
    return [(os.path.relpath(path, folder).replace(os.sep, "/") if not storage.is_gcs(folder)
             else path[len(folder):].lstrip("/"), size) for path, size in storage.list_sizes(folder)]


def input_fingerprint(root: str) -> str:
    """sha256 of the CSVs' bytes (those present) plus every video's name and size.

    Sizes, not video bytes: hashing 10,030 videos would mean reading the whole dataset on the driver. A
    folder without Videos/ (a plain folder of .avi files, for analysis) is listed itself.
    """
    digest = hashlib.sha256()
    found_csv = False
    for name in ("FileList.csv", "VolumeTracings.csv"):
        try:
            data = storage.read_bytes(storage.join(root, name))
        except FileNotFoundError:
            continue
        found_csv = True
        digest.update(f"{name} {len(data)}\n".encode())
        digest.update(data)
    listed, prefix = _sizes(storage.join(root, "Videos")), "Videos/"
    if not listed and not found_csv:
        listed, prefix = _sizes(root), ""
    for name, size in listed:
        digest.update(f"{prefix}{name} {size}\n".encode())
    return "sha256:" + digest.hexdigest()
