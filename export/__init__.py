"""Export: trained Keras U-Net -> quantized TFLite for handheld devices, carded and quality-gated.

config (flags) -> pipeline (the run) -> data (TRAIN/VAL frames), qat (QAT and pruning fine-tunes),
convert (converter settings per variant), measure (Dice, latency), card (model card), gate (verdict);
runtime holds the device-side API (TFLiteSegmenter, and KerasSegmenter with the same interface).
"""
