"""Is the input pipeline a bottleneck? Training images/s fed from the records vs from in-memory tensors.

The same compiled model trains twice per round, alternately: (1) from trainer.data.train_dataset (read,
parse, cache, shuffle, augment, render targets, prefetch, exactly as training does) and (2) from one
batch of the same pipeline's tensors held in memory and repeated. Steps after a warm-up are timed;
the ratio records/memory should be >= 0.9. The machine's load average is printed because a shared
CPU changes both figures.

    python benchmarks/train_input.py --records RECORDS [--model mask] [--preset compact] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.tf_backend import keras, tf  # noqa: E402
from trainer.config import TrainConfig  # noqa: E402
from trainer.data import train_dataset  # noqa: E402
from trainer.record_roots import read_records_info  # noqa: E402
from trainer.task import build_model, compile_model  # noqa: E402


class StepClock(keras.callbacks.Callback):
    """Time from the end of the warm-up steps to the end of the last step."""

    def __init__(self, warmup: int):
        super().__init__()
        self.warmup, self.start, self.end = warmup, 0.0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.warmup:
            self.start = time.perf_counter()
        self.end = time.perf_counter()


def images_per_second(model: keras.Model, data: tf.data.Dataset, warmup: int, steps: int, batch: int) -> float:
    clock = StepClock(warmup)
    model.fit(data, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[clock])
    return steps * batch / (clock.end - clock.start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", required=True)
    parser.add_argument("--model", default="mask", choices=("mask", "landmarks"))
    parser.add_argument("--preset", default="compact", choices=("compact", "paper"))
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-augment", dest="augment", action="store_false")
    args = parser.parse_args(argv)

    config = TrainConfig(model=args.model, records=args.records, preset=args.preset, batch_size=args.batch_size,
                         augment=args.augment, epochs=1000)
    info = read_records_info(args.records)
    keras.utils.set_random_seed(0)
    model = build_model(config, info)
    compile_model(model, config)
    total = args.warmup + args.steps
    records = train_dataset(config, info, 0, total, args.batch_size)
    x, y = next(iter(records))
    memory = tf.data.Dataset.from_tensors((x, y)).repeat()
    images_per_second(model, memory, 2, 2, args.batch_size)  # trace the train step once, outside the timing

    rates: dict[str, list[float]] = {"records": [], "memory": []}
    for _ in range(args.rounds):
        rates["records"].append(images_per_second(model, records, args.warmup, args.steps, args.batch_size))
        rates["memory"].append(images_per_second(model, memory, args.warmup, args.steps, args.batch_size))
    result = {key: round(statistics.median(values), 2) for key, values in rates.items()}
    result.update(ratio=round(result["records"] / result["memory"], 3), rounds=rates, model=args.model,
                  preset=args.preset, batch_size=args.batch_size, augment=args.augment,
                  train_frames=info.train_frames, cpu_count=os.cpu_count(), load_average=os.getloadavg())
    print(f"records {result['records']} img/s, in-memory {result['memory']} img/s, "
          f"ratio {result['ratio']} (target >= 0.9)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
