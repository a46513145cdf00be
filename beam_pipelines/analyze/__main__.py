"""``python -m beam_pipelines.analyze``: the same as ``lvseg analyze``."""

import sys

from beam_pipelines.analyze.pipeline import main
from lvseg.cli import run

sys.exit(run("lvseg analyze", main, sys.argv[1:]))
