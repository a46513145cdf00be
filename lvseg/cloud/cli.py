"""`lvseg cloud`: preprocessing, evaluation and video analysis on Dataflow, training and TFLite export on Vertex AI.

    lvseg cloud preprocess --project P --region R --bucket gs://B [--dry-run] [-- pipeline flags]
    lvseg cloud train      --project P --region R --bucket gs://B --model mask [--dry-run] [-- trainer flags]
    lvseg cloud export     --project P --region R --bucket gs://B --name mask [--dry-run] [-- export flags]
    lvseg cloud evaluate   --project P --region R --bucket gs://B --models mask landmarks [--dry-run]
    lvseg cloud analyze    --project P --region R --bucket gs://B --models mask [--data echonet] [--dry-run]

The bucket layout and image names are in lvseg.cloud.bucket; images come from infra/ (infra/README.md
walks through a fresh project). Every command prints the exact command it runs; --dry-run stops there.
A bad flag raises lvseg.flags.OptionError, which ``lvseg``'s one error path (lvseg.cli.run) prints as one
line with exit status 2 (a traceback with --debug).
"""

from __future__ import annotations

import sys
from typing import TextIO

from lvseg.cloud.common import Clock, Runner, subprocess_runner, utc_now
from lvseg.flags import OptionError


def usage() -> str:
    return __doc__.split("\n\n")[1] if __doc__ else ""


def main(argv: list[str] | None = None, runner: Runner = subprocess_runner, clock: Clock = utc_now,
         out: TextIO | None = None) -> int:
    """Dispatch to a subcommand; returns its exit status. Bad arguments raise OptionError (for lvseg.cli.run)."""
    from lvseg.cloud.commands import COMMANDS

    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    if not argv or argv[0] in ("-h", "--help", "help"):
        print("usage:\n" + usage(), file=out)
        return 0
    if argv[0] not in COMMANDS:
        raise OptionError(f"unknown command {argv[0]!r}; choose from {', '.join(COMMANDS)}")
    return COMMANDS[argv[0]](argv[1:], runner=runner, clock=clock, out=out)
