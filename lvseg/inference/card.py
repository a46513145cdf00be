"""Reading an export's model card: EXPORT_DIR/<name>.json beside <name>.tflite (export.card writes it).

The card is how a consumer (evaluation, analysis, a device app) knows a .tflite model: ``tflite_file``,
``kind``, ``landmark_scheme``, the input encoding (int8 scale and zero point) and how to decode the output.
"""

from __future__ import annotations

import json
import os

from lvseg import storage

CARD_VERSION = 1
CARD_SUFFIX = ".json"


def card_path(tflite_path: str) -> str:
    """The model card that sits next to a .tflite file (same name, .json); local or gs://."""
    return os.path.splitext(tflite_path)[0] + CARD_SUFFIX


def read_card(path: str) -> dict:
    """A model card's content, local or gs://; raises FileNotFoundError when there is none."""
    return json.loads(storage.read_text(path))
