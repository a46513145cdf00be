"""Pin the Keras implementation for every model in lvseg: tf_keras (Keras 2).

tensorflow-model-optimization (quantization-aware training, pruning) only works with Keras 2 models;
importing it flips TF_USE_LEGACY_KERAS for the whole process anyway. So we choose Keras 2 explicitly,
before TensorFlow is first imported, and every module takes ``keras`` and ``tf`` from here.
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

__all__ = ["keras", "tf"]
