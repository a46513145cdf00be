"""``python -m export`` / ``lvseg export``: a trained MODEL_DIR -> gated, carded .tflite variants.

  lvseg export --model MODEL_DIR --records RECORDS --out EXPORT_DIR --quantize int8 qat [--prune 0.5]

Exit status: 0 when every variant passed the Dice gate, 3 when any was rejected (its files are in
EXPORT_DIR/rejected/), 2 for bad arguments.
"""

from __future__ import annotations

import sys

from export.config import parse_args


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the export, return the exit status."""
    config = parse_args(argv)
    from export.pipeline import run  # TensorFlow loads only once the flags are valid

    return run(config)


if __name__ == "__main__":
    from lvseg.cli import run as run_command

    sys.exit(run_command("lvseg export", main, sys.argv[1:]))
