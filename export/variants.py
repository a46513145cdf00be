"""The TFLite variants an export can make, by name: the one list the flags, the converter and the card use."""

VARIANTS: dict[str, str] = {
    "float32": "no quantization (float32 weights and activations)",
    "float16": "float16 weights, float32 activations and I/O (weights dequantized at load)",
    "dynamic": "dynamic-range: int8 weights, activations quantized on the fly, float32 I/O",
    "int8": "full-integer post-training quantization: int8 weights and activations, int8 I/O, "
            "activation ranges calibrated on representative TRAIN frames",
    "qat": "quantization-aware training (TFMOT) fine-tuned from the float model on TRAIN frames, then "
           "full-integer conversion: int8 weights and activations, int8 I/O",
}
INT8_VARIANTS = ("int8", "qat")
