"""``python -m beam_pipelines.preprocess``: the same as ``lvseg preprocess``."""

import sys

from beam_pipelines.preprocess.pipeline import main
from lvseg.cli import run

sys.exit(run("lvseg preprocess", main, sys.argv[1:]))
