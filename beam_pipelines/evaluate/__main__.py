"""``python -m beam_pipelines.evaluate``: the same as ``lvseg evaluate``."""

import sys

from beam_pipelines.evaluate.pipeline import main

sys.exit(main())
