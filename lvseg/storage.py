"""Read and write files by path, local or ``gs://bucket/key``, with one small API.

Cloud Storage goes through google-cloud-storage. When STORAGE_EMULATOR_HOST is set (tests, with
gcp-storage-emulator on 127.0.0.1) the client talks to the emulator with anonymous credentials.
"""

from __future__ import annotations

import functools
import os
import posixpath
import shutil
import stat
from pathlib import Path

GCS_PREFIX = "gs://"


def is_gcs(path: str) -> bool:
    return str(path).startswith(GCS_PREFIX)


def join(root: str, *parts: str) -> str:
    """Join path parts, keeping the ``gs://`` form intact."""
    root = str(root)
    if is_gcs(root):
        return posixpath.join(root, *parts)
    return str(Path(root, *parts))


def split_gcs(path: str) -> tuple[str, str]:
    """``gs://bucket/a/b`` -> (``bucket``, ``a/b``)."""
    bucket, _, key = str(path)[len(GCS_PREFIX):].partition("/")
    if not bucket:
        raise ValueError(f"not a gs://bucket/key path: {path!r}")
    return bucket, key


@functools.lru_cache(maxsize=1)
def gcs_client():
    """One google-cloud-storage client per process (anonymous against the emulator)."""
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "test"),
                              credentials=AnonymousCredentials())
    return storage.Client()


DEADLINE_ENV = "LVSEG_GCS_DEADLINE_S"
DEFAULT_DEADLINE_S = 30.0


def gcs_deadline() -> float:
    """Seconds a Cloud Storage call may take with its retries (LVSEG_GCS_DEADLINE_S, default 30): an
    unreachable endpoint is then an error within that time, not after the client's two minutes."""
    text = os.environ.get(DEADLINE_ENV, "")
    try:
        value = float(text) if text else DEFAULT_DEADLINE_S
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        from lvseg.errors import UserError

        raise UserError(f"{DEADLINE_ENV}={text!r}: a positive number of seconds is expected")
    return value


def gcs_call() -> dict:
    """Keyword arguments for every google-cloud-storage request: its retry deadline and timeout."""
    from google.cloud.storage.retry import DEFAULT_RETRY

    deadline = gcs_deadline()
    return {"retry": DEFAULT_RETRY.with_timeout(deadline), "timeout": deadline}


def _blob(path: str):
    bucket, key = split_gcs(path)
    return gcs_client().bucket(bucket).blob(key)


def exists(path: str) -> bool:
    if is_gcs(path):
        return _blob(path).exists(**gcs_call())
    return Path(path).exists()


class NotAFileError(ValueError):
    """A local path that exists but is not a regular file (a directory, FIFO, device or socket).

    Not an OSError on purpose: callers retry OSErrors as transient, and no retry makes a FIFO a file.
    """

    def __init__(self, path: str, kind: str):
        super().__init__(f"{path}: not a regular file ({kind})")
        self.path, self.kind = path, kind


def read_bytes(path: str) -> bytes:
    """Whole file contents; raises FileNotFoundError when it is missing (local or gs://).

    Locally only regular files are read (NotAFileError otherwise): opening a FIFO would block forever
    and reading a directory fails, so both are refused before and again after opening (no race).
    """
    if is_gcs(path):
        from google.api_core.exceptions import NotFound

        try:
            return _blob(path).download_as_bytes(**gcs_call())
        except NotFound as err:
            raise FileNotFoundError(path) from err
    _check_regular(os.stat(path).st_mode, path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: a FIFO swapped in cannot block the open
    with open(fd, "rb") as f:
        _check_regular(os.fstat(fd).st_mode, path)
        return f.read()


def _check_regular(mode: int, path: str) -> None:
    if not stat.S_ISREG(mode):
        kind = ("directory" if stat.S_ISDIR(mode) else "FIFO" if stat.S_ISFIFO(mode) else
                "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "socket" if stat.S_ISSOCK(mode) else
                "special file")
        raise NotAFileError(path, kind)


def read_text(path: str) -> str:
    return read_bytes(path).decode("utf-8-sig")


def write_bytes(path: str, data: bytes) -> None:
    if is_gcs(path):
        _blob(path).upload_from_string(data, **gcs_call())
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)


def write_text(path: str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def size(path: str) -> int:
    if is_gcs(path):
        blob = _blob(path)
        blob.reload(**gcs_call())
        return int(blob.size)
    return Path(path).stat().st_size


def list_sizes(prefix: str) -> list[tuple[str, int]]:
    """(path, size in bytes) of every file under a folder (recursive), sorted by path; one listing on gs://."""
    if is_gcs(prefix):
        bucket, key = split_gcs(prefix)
        key = key.rstrip("/") + "/" if key else ""
        return sorted((f"{GCS_PREFIX}{bucket}/{b.name}", int(b.size))
                      for b in gcs_client().list_blobs(bucket, prefix=key, **gcs_call()))
    found = []
    for folder, _, names in os.walk(prefix):  # never follows symlinked folders (no loops, no escapes)
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:  # a broken symlink, or one removed while listing
                continue
            if stat.S_ISREG(info.st_mode):
                found.append((path, info.st_size))
    return sorted(found)


def list_files(prefix: str) -> list[str]:
    """All files under a folder (recursive), sorted."""
    return [path for path, _ in list_sizes(prefix)]


def remove_tree(path: str) -> None:
    """Delete a file or folder (recursively), local or gs://; missing is fine."""
    if is_gcs(path):
        client = gcs_client()
        bucket, key = split_gcs(path)
        for name in [key] + [split_gcs(f)[1] for f in list_files(path)]:
            blob = client.bucket(bucket).blob(name)
            if name == key and not blob.exists(**gcs_call()):
                continue
            blob.delete(**gcs_call())
    elif os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)


def is_transient(err: BaseException) -> bool:
    """Whether a retry may cure an error of reading or writing: I/O and Cloud Storage errors.

    Beam jobs re-raise these (Beam retries the work item) and turn any other failure into a reject of the
    video at hand. NotAFileError is deliberately not an OSError: no retry turns a FIFO into a file.
    """
    try:
        from google.api_core.exceptions import GoogleAPIError
    except ImportError:  # pragma: no cover - the gcp extra is installed with Beam here
        return isinstance(err, OSError)
    return isinstance(err, (OSError, GoogleAPIError))
