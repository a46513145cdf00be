"""The ``lvseg`` command: one subcommand per stage, each delegating to its module's ``main(argv)``.

Modules are imported only when their subcommand runs, so ``lvseg --help`` stays fast and a light
subcommand never pays for TensorFlow.
"""

from __future__ import annotations

import importlib
import os
import sys

from lvseg import RESEARCH_NOTICE, __version__

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
    "cloud": ("lvseg.cloud.cli", "submit preprocessing / training / export / evaluation to Google Cloud"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: lvseg COMMAND [options]   (lvseg {__version__})", "", RESEARCH_NOTICE, "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'lvseg COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if argv[0] == "--version":
        print(__version__)
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter hides the output
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"lvseg: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    result = module.main(rest)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
