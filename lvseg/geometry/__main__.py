"""``python -m lvseg.geometry --ceiling DATASET``: print the landmark ceiling per scheme."""

import argparse
import sys

from lvseg.geometry import ceiling

parser = argparse.ArgumentParser(prog="python -m lvseg.geometry")
parser.add_argument("--ceiling", metavar="DATASET", required=True)
parser.add_argument("--schemes", nargs="+", default=list(ceiling.DEFAULT_SCHEMES))
args = parser.parse_args()
sys.exit(ceiling.main([args.ceiling, "--schemes", *args.schemes]))
