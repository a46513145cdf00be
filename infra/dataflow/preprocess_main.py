"""Flex-template entry point of `lvseg preprocess` (FLEX_TEMPLATE_PYTHON_PY_FILE in infra/beam/Dockerfile).

Dataflow's launcher runs this file with the template parameters as ``--name=value``; lvseg.cloud.flex
maps them onto the pipeline's flags and submits the job without waiting for it.
"""

import sys

from lvseg.cloud.flex import launch

if __name__ == "__main__":
    launch("preprocess", sys.argv[1:])
