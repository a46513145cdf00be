"""Export: trained Keras U-Net -> quantized TFLite for handheld devices, carded and quality-gated.

config (flags) -> pipeline (the run) -> data (TRAIN/VAL frames), qat (QAT and pruning fine-tunes),
variants (their names) and convert (converter settings per variant), measure (Dice, latency), card (writing
the model card), gate (verdict). Running an exported model is lvseg.inference's job (TFLiteRunner).
"""
