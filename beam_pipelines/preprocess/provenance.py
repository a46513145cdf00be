"""Where a RECORDS root came from: a fingerprint of its input dataset and the versions that made its bytes.

Both go into manifest.json, so a reader can tell whether two RECORDS roots were made from the same
dataset with the same code; publication itself is lvseg.publish's.
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
