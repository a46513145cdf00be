"""Reading an export's model card: EXPORT_DIR/<name>.json beside <name>.tflite (export.card writes it).

The card is how a consumer (evaluation, analysis, a device app) knows a .tflite model: ``tflite_file``,
``kind``, ``landmark_scheme``, the input encoding (int8 scale and zero point) and how to decode the output.
A card describes one flatbuffer only: ``check_file`` compares the file's sha256 with the card's before the
model is used, and ``check_tensors`` the interpreter's input and output tensors with what the card says,
so a card beside another model's file (two exports into one folder, a copy by hand) is refused instead of
decoding one model's output with another's rule.
"""

from __future__ import annotations

import hashlib
import json
import os

from lvseg import storage
from lvseg.errors import UserError
from lvseg.inference.decode import MODEL_KINDS

CARD_VERSION = 1
CARD_SUFFIX = ".json"


class CardError(UserError, ValueError):
    """A model card that is unreadable, or that does not describe the .tflite file beside it."""


def card_path(tflite_path: str) -> str:
    """The model card that sits next to a .tflite file (same name, .json); local or gs://."""
    return os.path.splitext(tflite_path)[0] + CARD_SUFFIX


def read_card(path: str) -> dict:
    """A model card's content, local or gs://; raises FileNotFoundError when there is none and CardError
    when it is not a card (not JSON, not an object, or an unknown ``kind``)."""
    try:
        card = json.loads(storage.read_text(path))
    except ValueError:
        raise CardError(f"{path}: the model card is not valid JSON (damaged?); export the model again") from None
    if not isinstance(card, dict):
        raise CardError(f"{path}: not a model card (a JSON object is expected)")
    if card.get("kind") not in MODEL_KINDS:
        raise CardError(f"{path}: model kind must be 'mask' or 'landmarks', got {card.get('kind')!r}")
    return card


def check_file(card: dict, path: str, data: bytes) -> None:
    """CardError unless ``data`` (the bytes of the .tflite at ``path``) are the file the card describes."""
    expected = card.get("tflite_sha256")
    if not isinstance(expected, str):
        raise CardError(f"{card_path(path)}: the model card has no tflite_sha256, so it cannot be matched "
                        f"to {path}; export the model again")
    if hashlib.sha256(data).hexdigest() != expected:
        raise CardError(f"{path} is not the file its card {card_path(path)} describes (sha256 differs): "
                        f"another export's file, or a damaged copy; export the model again")


def check_tensors(card: dict, path: str, input_details: dict, output_details: dict) -> None:
    """CardError unless the interpreter's input/output shapes and dtypes are the card's, and the output's
    channel count fits the card's kind (1 for a mask model, num_landmarks for a landmark model)."""
    import numpy as np

    for role, details in (("input", input_details), ("output", output_details)):
        said = card.get(role) or {}
        found = {"shape": [int(d) for d in details["shape"]], "dtype": np.dtype(details["dtype"]).name}
        if said.get("shape") != found["shape"] or said.get("dtype") != found["dtype"]:
            raise CardError(f"{path}: its {role} tensor is {found['dtype']} {found['shape']} but its card says "
                            f"{said.get('dtype')} {said.get('shape')}; export the model again")
    channels = int(output_details["shape"][-1])
    expected = 1 if card["kind"] == "mask" else card.get("num_landmarks")
    if expected is not None and channels != expected:
        raise CardError(f"{path}: {channels} output channels, but a {card['kind']} model with this card has "
                        f"{expected}; export the model again")
