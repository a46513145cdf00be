"""The ``lvseg`` command: one subcommand per stage, each delegating to its module's ``main(argv)``.

Modules are imported only when their subcommand runs, so ``lvseg --help`` stays fast and a light
subcommand never pays for TensorFlow. Every subcommand shares one error path (``run``): an expected user
error (lvseg.errors.UserError, or a missing or unreadable input path) is one line on stderr,
``lvseg <command>: error: ...``, and exit status 2; ``--debug`` anywhere on the line, or LVSEG_DEBUG=1,
shows its traceback instead. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Callable

from lvseg import RESEARCH_NOTICE, __version__
from lvseg.errors import INTERRUPTED, TERMINATED, USAGE_ERROR, Terminated, UserError, environment_message

# name -> (module with main(argv), one-line help). Order = the data's path.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("lvseg.demo", "run every stage end to end on built-in synthetic data"),
    "synth": ("lvseg.synth.cli", "generate synthetic EchoNet-Dynamic / CAMUS datasets and previews"),
    "inspect": ("lvseg.datasets.inspection", "read a dataset and report its videos, splits and rejects"),
    "ceiling": ("lvseg.datasets.ceiling", "Dice of masks rebuilt from true landmarks, per landmark scheme"),
    "preprocess": ("beam_pipelines.preprocess.pipeline", "Beam: dataset -> sharded TFRecords (local or Dataflow)"),
    "train": ("trainer.task", "train the mask or landmark U-Net from the records"),
    "export": ("export.__main__", "quantize a trained model to TFLite and check it still segments"),
    "evaluate": ("beam_pipelines.evaluate.pipeline", "Beam: Dice on TEST and an external set, with an HTML report"),
    "analyze": ("beam_pipelines.analyze.pipeline", "Beam: LV volume and EF beat by beat from every frame of any video"),
    "stream": ("lvseg.inference.stream_cli", "one clip (AVI, MP4, DICOM loop, frames) frame by frame, as a device "
                                             "runs it: each beat's EF as it is found"),
    "cloud": ("lvseg.cloud.cli", "submit preprocessing / training / export / evaluation / analysis to Google Cloud"),
}
# (command, flag) -> the command that replaced it: the old spelling is one line that points there.
MOVED: dict[tuple[str, str], str] = {
    ("analyze", "--stream"): "the streaming analyser is its own command: lvseg stream VIDEO --models MODEL",
}
DEBUG_FLAG = "--debug"
DEBUG_ENV = "LVSEG_DEBUG"
# Input paths a user names: a missing or unreadable one is their error to fix, not a bug.
_PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)
_BEAM_WORKER_LOG = "apache_beam.runners.common"  # where Beam logs a failing step with its traceback


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: lvseg COMMAND [options] [{DEBUG_FLAG}]   (lvseg {__version__})", "", RESEARCH_NOTICE, "",
             "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'lvseg COMMAND --help' for a command's options."]
    return "\n".join(lines)


def run(prog: str, main: Callable[[list[str]], int | None], argv: list[str]) -> int:
    """Call ``main(argv)`` with the one error path; returns the exit status.

    A user's error and an error of the environment (lvseg.errors.environment_message) are one line and
    exit 2; Ctrl-C and SIGTERM are one line and exit 130 / 143, after every ``finally`` has run (a
    claimed output folder's staging removed, its lock released).
    """
    debug = DEBUG_FLAG in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    argv = [a for a in argv if a != DEBUG_FLAG]
    restore = _terminate_as_exception()
    quiet = None if debug else _quiet_beam_worker_tracebacks()
    try:
        return int(main(argv) or 0)
    except (UserError, *_PATH_ERRORS) as err:
        if debug:
            raise
        print(f"{prog}: error: {one_line(err)}", file=sys.stderr)
        return USAGE_ERROR
    except BaseException as err:  # Beam re-raises a signal that arrived inside a step as a RuntimeError
        signalled = _signal_in(err)
        message = signalled[1] if signalled else environment_message(err) if isinstance(err, Exception) else None
        if debug or message is None:
            raise
        print(f"{prog}: {message}" if signalled else f"{prog}: error: {message}", file=sys.stderr)
        return signalled[0] if signalled else USAGE_ERROR
    finally:
        restore()
        if quiet is not None:
            logging.getLogger(_BEAM_WORKER_LOG).removeFilter(quiet)


def _signal_in(err: BaseException | None) -> tuple[int, str] | None:
    """(exit status, message) when ``err`` or anything in its chain is Ctrl-C or SIGTERM."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, KeyboardInterrupt):
            return INTERRUPTED, "interrupted; no output was left half-written"
        if isinstance(err, Terminated):
            return TERMINATED, "terminated (SIGTERM); no output was left half-written"
        err = err.__cause__ or err.__context__
    return None


def _terminate_as_exception() -> Callable[[], None]:
    """Make SIGTERM raise Terminated in the main thread (a no-op elsewhere); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _quiet_beam_worker_tracebacks() -> logging.Filter:
    """Beam logs a failing step with its traceback and then re-raises it to the launcher, which reports it
    once: in one line, or with its traceback when it is a bug. Without --debug, Beam's copy is dropped."""
    class Reported(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return record.levelno < logging.ERROR

    quiet = Reported()
    logging.getLogger(_BEAM_WORKER_LOG).addFilter(quiet)
    return quiet


def one_line(err: BaseException) -> str:
    """The error's message on one line (an OSError names its path)."""
    if isinstance(err, OSError) and err.filename:
        text = f"{err.strerror or type(err).__name__}: {err.filename}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = [a for a in argv if a != DEBUG_FLAG]
    if not command or command[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if command[0] == "--version":
        print(__version__)
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter hides the output
    name = command[0]
    if name not in COMMANDS:
        print(f"lvseg: error: unknown command {name!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return USAGE_ERROR
    rest = argv[argv.index(name) + 1:]
    rest += [DEBUG_FLAG] if DEBUG_FLAG in argv[:argv.index(name)] else []
    moved = next((text for (command_name, flag), text in MOVED.items()
                  if command_name == name and any(a == flag or a.startswith(flag + "=") for a in rest)), None)
    if moved is not None:
        return run(f"lvseg {name}", _refuse(moved), rest)
    return run(f"lvseg {name}", importlib.import_module(COMMANDS[name][0]).main, rest)


def _refuse(message: str) -> Callable[[list[str]], int]:
    """A command body that only raises ``message`` as a user error (for a flag that moved elsewhere)."""
    def refuse(argv: list[str]) -> int:
        raise UserError(message)

    return refuse


if __name__ == "__main__":
    sys.exit(main())
