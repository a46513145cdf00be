"""``python -m lvseg.cloud``: the same as ``lvseg cloud``."""

import sys

from lvseg.cloud.cli import main

sys.exit(main())
