"""TEST-ONLY: ``python -m tests.trainer.preempt EPOCH TRAINER_ARGS...`` trains, then SIGKILLs itself once
epoch EPOCH is fully backed up, the way a preempted Spot VM dies (no clean-up, no exception handler)."""

from __future__ import annotations

import os
import signal
import sys

from lvseg.tf_backend import keras
from trainer import task


class KillAfterEpoch(keras.callbacks.Callback):
    """SIGKILL this process at the end of epoch ``after_epoch``; placed last, after the Keras backup."""

    def __init__(self, after_epoch: int):
        super().__init__()
        self.after_epoch = after_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after_epoch:
            print(f"simulated preemption after epoch {epoch + 1}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    after_epoch, trainer_argv = int(argv[0]), argv[1:]
    make_callbacks = task.make_callbacks
    task.make_callbacks = lambda *args, **kwargs: [*make_callbacks(*args, **kwargs), KillAfterEpoch(after_epoch)]
    return task.main(trainer_argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
