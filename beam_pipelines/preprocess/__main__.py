"""``python -m beam_pipelines.preprocess``: the same as ``lvseg preprocess``."""

import sys

from beam_pipelines.preprocess.pipeline import main

sys.exit(main())
