"""Errors a user can cause and fix: the CLI prints them as one line (``lvseg <command>: error: ...``, exit 2).

Raise a ``UserError`` (or a subclass) for an expected problem with the input or the command line: a
missing dataset, a malformed header, a nonsense option value, an incomplete output folder. Problems of
the machine or the cloud around lvseg (a full or read-only disk, a permission, missing or refused
credentials, an unreachable storage endpoint, a damaged records file) are the user's to fix too:
``environment_message`` finds one anywhere in an error's chain (Beam wraps a worker's error in a
RuntimeError) and words it. Anything else is a bug and keeps its traceback. ``--debug`` or
``LVSEG_DEBUG=1`` shows the traceback of these too.
"""

from __future__ import annotations

import errno
import sys

USAGE_ERROR = 2  # exit status of every user error, as argparse uses
INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
TERMINATED = 143   # 128 + SIGTERM

_OS_ERRORS = {
    errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system", errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "file name too long", errno.EMFILE: "too many open files",
}
_DAMAGED = "a records file is damaged (bit rot or a cut copy; run lvseg preprocess again)"
# (module, class name) of third-party errors, matched by name so that no cloud library is imported here.
_NAMED_ERRORS = {
    ("google.auth.exceptions", "DefaultCredentialsError"):
        "no Google Cloud credentials (run 'gcloud auth application-default login' or set "
        "GOOGLE_APPLICATION_CREDENTIALS)",
    ("google.auth.exceptions", "RefreshError"): "Google Cloud refused the credentials",
    ("google.auth.exceptions", "TransportError"): "Google Cloud could not be reached",
    ("google.api_core.exceptions", "RetryError"): "Cloud Storage did not answer within the deadline "
                                                  "(LVSEG_GCS_DEADLINE_S)",
    ("requests.exceptions", "ConnectionError"): "Cloud Storage could not be reached",
    ("requests.exceptions", "Timeout"): "Cloud Storage did not answer in time",
    ("google.api_core.exceptions", "Unauthorized"): "Cloud Storage refused the credentials",
    ("google.api_core.exceptions", "Forbidden"): "Cloud Storage refused access",
    ("google.api_core.exceptions", "NotFound"): "not found on Cloud Storage",
    ("tensorflow.python.framework.errors_impl", "DataLossError"): _DAMAGED,
    ("lvseg.records.tfrecord", "TFRecordError"): _DAMAGED,
    ("gzip", "BadGzipFile"): _DAMAGED,
    ("zlib", "error"): _DAMAGED,
}


class UserError(Exception):
    """An expected, user-fixable error; its message is one line that names the file or option concerned."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every ``finally`` (lock, staging) runs, as for Ctrl-C."""


def environment_message(err: BaseException) -> str | None:
    """One line for an error of the environment found in ``err``'s chain (causes and contexts), else None."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _describe(current)
        if found:
            return found
        current = current.__cause__ or current.__context__
    return None


def _describe(err: BaseException) -> str | None:
    if isinstance(err, OSError) and err.errno in _OS_ERRORS:
        where = err.filename or ""
        return f"{_OS_ERRORS[err.errno]}{': ' + str(where) if where else ''}"
    if type(err) is EOFError and "Compressed file ended" in str(err):  # gzip's word for a cut stream
        return f"{_DAMAGED}: {err}"
    for kind in type(err).__mro__:
        text = _NAMED_ERRORS.get((kind.__module__, kind.__name__))
        if text is not None and (kind.__module__ in sys.modules):
            detail = " ".join(str(err).split())[:300]
            return f"{text}: {detail}" if detail else text
    return None
