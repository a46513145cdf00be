"""lvseg.inference.card: where a model card lives and reading it, local or missing."""

from __future__ import annotations

import json

import pytest

from lvseg.inference.card import card_path, read_card


def test_the_card_sits_beside_its_tflite_file(tmp_path):
    assert card_path("exports/mask/int8.tflite") == "exports/mask/int8.json"
    assert card_path("gs://b/exports/int8.tflite") == "gs://b/exports/int8.json"
    path = tmp_path / "int8.json"
    path.write_text(json.dumps({"kind": "mask", "tflite_file": "int8.tflite"}))
    assert read_card(str(path))["kind"] == "mask"
    with pytest.raises(FileNotFoundError):
        read_card(str(tmp_path / "none.json"))
