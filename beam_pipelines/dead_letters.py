"""The dead-letter output both jobs share: rejected videos, counted per reason on their way to rejected.jsonl."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from lvseg.datasets.rejects import RejectReason


class CountRejectsFn(beam.DoFn):
    """Passes reject dicts through, counting them per reason (Metrics.counter ``<namespace>/rejected_<reason>``)."""

    def __init__(self, namespace: str):
        self.namespace = namespace
        self.counters: dict = {}

    def setup(self):
        self.counters = {r.value: Metrics.counter(self.namespace, f"rejected_{r.value}") for r in RejectReason}

    def process(self, reject: dict):
        self.counters[reject["reason"]].inc()
        yield reject
