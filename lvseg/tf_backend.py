"""Pin the Keras implementation for every model in lvseg: tf_keras (Keras 2), and keep TensorFlow's start-up quiet.

tensorflow-model-optimization (quantization-aware training, pruning) only works with Keras 2 models;
importing it flips TF_USE_LEGACY_KERAS for the whole process anyway. So we choose Keras 2 explicitly,
before TensorFlow is first imported, and every module takes ``keras`` and ``tf`` from here.

TensorFlow's C++ runtime writes its start-up lines straight to file descriptor 2, past Python and past
TF_CPP_MIN_LOG_LEVEL (absl's "All log messages before absl::InitializeLog()", oneDNN notes, and on every
machine without a GPU "failed call to cuInit: ... UNKNOWN ERROR", which is not an error). So the import and the
device discovery run with descriptor 2 pointed at /dev/null; LVSEG_VERBOSE=1 or LVSEG_DEBUG=1 (``--debug``)
keeps everything. An exception from the import is raised after descriptor 2 is back, so it is never hidden.
"""

import os

from lvseg.runtime_noise import stderr_silenced, verbose

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


with stderr_silenced():
    import tensorflow as tf  # noqa: E402
    import tf_keras as keras  # noqa: E402

    tf.config.list_physical_devices()  # device discovery (cuInit) happens here, not at the first model

if not verbose():
    from absl import logging as absl_logging  # noqa: E402

    absl_logging.set_verbosity(absl_logging.ERROR)
    tf.get_logger().setLevel("ERROR")

__all__ = ["keras", "tf", "verbose"]
