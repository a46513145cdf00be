"""Keeping libraries' start-up and housekeeping lines off a user's terminal unless asked (LVSEG_VERBOSE=1, --debug).

TensorFlow's runtime and LiteRT (its "Created TensorFlow Lite XNNPACK delegate" line) write to file descriptor 2
directly, past Python's logging and TF_CPP_MIN_LOG_LEVEL, so only pointing that descriptor elsewhere while
they start keeps them quiet (``stderr_silenced``; lvseg.tf_backend). Beam logs through Python's logging, and
its WARNING lines describe its own machinery (runner choices, every local worker's "No
semi_persistent_directory found", DoFns that yield nothing): ``quiet_loggers`` keeps only its errors.
"""

import logging
import os
from contextlib import contextmanager


def verbose() -> bool:
    """True when the user asked for the runtime's own messages (LVSEG_VERBOSE or LVSEG_DEBUG set, not 0)."""
    return any(os.environ.get(name, "0") not in ("", "0") for name in ("LVSEG_VERBOSE", "LVSEG_DEBUG"))


@contextmanager
def stderr_silenced():
    """File descriptor 2 points at /dev/null inside (unless verbose()): for C++ runtimes that print at import."""
    if verbose():
        yield
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def quiet_loggers(*names: str) -> None:
    """The named Python loggers (and their children) pass only ERROR and above, unless verbose().

    Errors still show, and a library's failing step is still reported (lvseg.cli reports it once).
    """
    if verbose():
        return
    for name in names:
        logging.getLogger(name).setLevel(logging.ERROR)
