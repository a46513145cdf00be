"""Errors a user can cause and fix: the CLI prints them as one line (``lvseg <command>: error: ...``, exit 2).

Raise a ``UserError`` (or a subclass) for an expected problem with the input or the command line: a
missing dataset, a malformed header, a nonsense option value, an incomplete output folder. Anything else
is a bug and keeps its traceback. ``--debug`` or ``LVSEG_DEBUG=1`` shows the traceback of a UserError too.
"""

from __future__ import annotations

USAGE_ERROR = 2  # exit status of every user error, as argparse uses


class UserError(Exception):
    """An expected, user-fixable error; its message is one line that names the file or option concerned."""
