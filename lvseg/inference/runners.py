"""Run a trained model on uint8 frames, Keras or TFLite, behind one interface: ``Runner``.

``TFLiteRunner`` needs only numpy and the LiteRT interpreter (no TensorFlow), so it is what a handheld
app mirrors: quantize the frame with the input tensor's scale and zero point, invoke, dequantize the
output, and apply the shared output rule (lvseg.inference.decode.segment). ``KerasRunner`` gives the
trained Keras model of a MODEL_DIR the same interface, so export, evaluation and analysis compare the
two frame for frame.
"""

from __future__ import annotations

import os

import cv2
import numpy as np

from lvseg.inference.card import CardError, card_path, check_file, check_tensors, read_card
from lvseg.inference.decode import Segmentation, segment
from lvseg.inference.encode import to_model_input
from lvseg.runtime_noise import stderr_silenced

# Frames per ``predict`` call of Runner.segment: a whole video's raw outputs (one float channel per landmark,
# twice over under mirror averaging) never sit in memory at once.
PREDICT_CHUNK = 32


class Runner:
    """The shared interface: ``predict`` raw outputs; ``decode`` one output by the output rule; ``segment`` /
    ``segment_frame`` both. A runner that wraps another (mirror, temporal) decodes as the one it wraps does."""

    kind: str
    landmark_scheme: str | None
    chunk: int = PREDICT_CHUNK

    def predict(self, frames: np.ndarray) -> np.ndarray:
        """uint8 frames (N, 112, 112) -> float32 outputs (N, 112, 112, C) in [0, 1]."""
        raise NotImplementedError

    def decode(self, output: np.ndarray) -> Segmentation:
        """One frame's output (112, 112, C) -> its Segmentation: the shared output rule (lvseg.inference.decode)."""
        return segment(self.kind, output)

    def segment_frame(self, frame: np.ndarray) -> Segmentation:
        """One uint8 frame (112, 112) -> its Segmentation (mask, and landmarks for landmark models)."""
        return self.decode(self.predict(np.asarray(frame)[None])[0])

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        """uint8 frames (N, 112, 112), e.g. a whole video -> one Segmentation per frame, ``chunk`` frames per
        ``predict`` call."""
        frames = np.asarray(frames)
        frames = frames[None] if frames.ndim == 2 else frames
        return [self.decode(output) for i in range(0, len(frames), self.chunk)
                for output in self.predict(frames[i:i + self.chunk])]


def _as_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.dtype != np.uint8:
        raise TypeError(f"frames must be uint8 grey images, got {frames.dtype}")
    return frames[None] if frames.ndim == 2 else frames


class TFLiteRunner(Runner):
    """A .tflite model (or its card) run by the LiteRT interpreter, one frame per invoke (batch 1)."""

    def __init__(self, path: str, num_threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        card = None
        if path.endswith(".json"):
            card = read_card(path)
            path = os.path.join(os.path.dirname(path), card["tflite_file"])
        elif os.path.exists(card_path(path)):
            card = read_card(card_path(path))
        self.path = path
        self.card = card
        with open(path, "rb") as f:
            flatbuffer = f.read()
        if card is not None:  # the card must describe this very file before its rules are applied to it
            check_file(card, path, flatbuffer)
        try:
            with stderr_silenced():  # LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate" on fd 2
                self.interpreter = Interpreter(model_content=flatbuffer, num_threads=num_threads)
                self.interpreter.allocate_tensors()
        except ValueError as err:  # LiteRT's answer to bytes that are not a model it can run
            raise CardError(f"{path}: not a TFLite model the interpreter can load ({' '.join(str(err).split())})"
                            ) from None
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]
        if card is not None:
            check_tensors(card, path, self._input, self._output)
        # Integer I/O: every uint8 grey level and every int8 output value maps to one fixed number, so the
        # rules below are evaluated once for all 256 of them (identical values, a table lookup per frame).
        self._input_table = self._quantize(np.arange(256, dtype=np.uint8)) if self._is_int(self._input) else None
        self._output_table = self._dequantize(np.arange(-128, 128).astype(self._output["dtype"])) \
            if self._output["dtype"] == np.int8 else None
        channels = int(self._output["shape"][-1])
        # Without a card, a single channel can only be a mask model.
        self.kind = card["kind"] if card else ("mask" if channels == 1 else "landmarks")
        self.landmark_scheme = card.get("landmark_scheme") if card else None
        # An int8 mask model's 256 possible outputs, put through the one output rule once: its mask is then
        # a lookup of the raw tensor, with no float frame in between (the streaming analyser's hot path).
        # The table is indexed by the output's bytes read as uint8 (value mod 256), as cv2.LUT needs.
        self._mask_table = np.roll(segment("mask", self._output_table[None]).mask[0], 128) \
            if self._output_table is not None and self.kind == "mask" else None

    @property
    def input_details(self) -> dict:
        """The interpreter's input tensor details (shape, dtype, quantization scale/zero point)."""
        return self._input

    @property
    def output_details(self) -> dict:
        """The interpreter's output tensor details."""
        return self._output

    @staticmethod
    def _is_int(details: dict) -> bool:
        return np.issubdtype(details["dtype"], np.integer)

    def _quantize(self, frames: np.ndarray) -> np.ndarray:
        x = to_model_input(frames)
        if self._input["dtype"] == np.float32:
            return x
        scale, zero_point = self._input["quantization"]
        info = np.iinfo(self._input["dtype"])
        return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(self._input["dtype"])

    def _dequantize(self, raw: np.ndarray) -> np.ndarray:
        if self._output["dtype"] != np.float32:
            scale, zero_point = self._output["quantization"]
            raw = (raw.astype(np.float32) - zero_point) * scale
        return np.clip(raw, 0.0, 1.0).astype(np.float32)

    def quantize_input(self, frames: np.ndarray) -> np.ndarray:
        """uint8 frames (N, H, W) -> the input tensor's dtype: float [0, 1], or int8 via scale/zero point."""
        frames = np.asarray(frames)
        if self._input_table is not None and frames.dtype == np.uint8:
            if frames.ndim == 3 and len(frames) == 1:  # one streamed frame: cv2.LUT is ~3x numpy's take
                return cv2.LUT(frames[0], self._input_table.ravel())[None, :, :, None]
            return self._input_table[frames]
        return self._quantize(frames)

    def dequantize_output(self, raw: np.ndarray) -> np.ndarray:
        """Raw output tensor -> float32 in [0, 1]."""
        if self._output_table is not None:
            return self._output_table[raw.astype(np.int16) + 128]
        return self._dequantize(raw)

    def invoke(self, model_input: np.ndarray) -> np.ndarray:
        """One already-quantized input (1, H, W, 1) -> the raw output tensor (a copy)."""
        self.interpreter.set_tensor(self._input["index"], model_input)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output["index"]).copy()

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        if self._mask_table is None:
            return super().segment(frames)
        return [Segmentation(cv2.LUT(self.invoke(x[None])[0, :, :, 0].view(np.uint8), self._mask_table))
                for x in self.quantize_input(_as_frames(frames))]

    def predict(self, frames: np.ndarray) -> np.ndarray:
        inputs = self.quantize_input(_as_frames(frames))
        if len(inputs) == 0:
            return np.zeros((0, *self._output["shape"][1:]), np.float32)
        return np.concatenate([self.dequantize_output(self.invoke(x[None])) for x in inputs])


class KerasRunner(Runner):
    """The trained Keras model of a MODEL_DIR behind the same interface (the float reference)."""

    def __init__(self, model_dir: str, batch_size: int = 32) -> None:
        from lvseg.inference.model_dir import load_trained

        model, config = load_trained(model_dir)
        self._setup(model, config, batch_size)

    @classmethod
    def from_model(cls, model, config: dict, batch_size: int = 32) -> "KerasRunner":
        """Wrap an in-memory model (e.g. a pruned or QAT copy) with the config of its MODEL_DIR."""
        self = cls.__new__(cls)
        self._setup(model, config, batch_size)
        return self

    def _setup(self, model, config: dict, batch_size: int) -> None:
        self.model, self.config, self.batch_size, self.chunk = model, config, batch_size, batch_size
        self.kind = config["model"]
        self.landmark_scheme = config.get("landmark_scheme") if self.kind == "landmarks" else None

    def predict(self, frames: np.ndarray) -> np.ndarray:
        x = to_model_input(_as_frames(frames))
        if len(x) == 0:
            return np.zeros((0, *self.model.output_shape[1:]), np.float32)
        outputs = [np.asarray(self.model(x[i:i + self.batch_size], training=False))
                   for i in range(0, len(x), self.batch_size)]
        return np.concatenate(outputs).astype(np.float32)
