"""``python -m lvseg.cloud``: the same as ``lvseg cloud``."""

import sys

from lvseg.cli import run
from lvseg.cloud.cli import main

sys.exit(run("lvseg cloud", main, sys.argv[1:]))
