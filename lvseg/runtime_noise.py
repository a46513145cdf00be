"""Keeping C++ runtimes' start-up lines off a user's terminal unless asked (LVSEG_VERBOSE=1 or --debug).

TensorFlow's runtime writes to file descriptor 2 directly, past Python's logging and TF_CPP_MIN_LOG_LEVEL, so
only pointing that descriptor elsewhere while it starts keeps it quiet (lvseg.tf_backend, lvseg.records.schema).
"""

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
