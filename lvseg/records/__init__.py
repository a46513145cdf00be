"""The records preprocessing writes and every later stage reads: sharded, GZIP-compressed TFRecords.

schema (the one definition of the frame and video Examples) -> examples (an EchoVideo to its Examples)
-> shards (where shards live under RECORDS, and reading them) over tfrecord (the framing, without TF).
"""
