"""Beam job: an EchoNet-layout dataset -> sharded TFRecords (``python -m beam_pipelines.preprocess``).

pipeline (options, launcher, builder) -> transforms (DoFns, dead-letter rejects, manifest) -> sharding
(deterministic shard plan and writer) -> publish (staging, input fingerprint, the swap into RECORDS).
"""
