"""``python -m beam_pipelines.evaluate``: the same as ``lvseg evaluate``."""

import sys

from beam_pipelines.evaluate.pipeline import main
from lvseg.cli import run

sys.exit(run("lvseg evaluate", main, sys.argv[1:]))
