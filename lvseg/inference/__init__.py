"""Inference, the one home every consumer of a trained model uses: export, evaluation, analysis, a device app.

encode     uint8 frames -> model input (the one input normalization, and its int8 form)
decode     model output -> mask (and landmarks): the one output rule
runners    a Keras MODEL_DIR or a .tflite file behind one interface (``Runner.segment``)
model_dir  reading a trained MODEL_DIR (model.keras + config.json)
card       reading an export's model card (<name>.json beside <name>.tflite)
models     a model spec (path) -> ModelInfo (kind, scheme, format) and its runner, local or gs://
"""
