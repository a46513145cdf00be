"""tf.train.Example and its Feature messages without TensorFlow: the same proto, built from a descriptor here.

Writing records needs only the message definitions, yet importing them from TensorFlow
(``tensorflow.core.example``) starts its whole runtime: seconds per Beam worker process, and C++ start-up
lines on the terminal. The messages are small and frozen (tensorflow/core/example/{example,feature}.proto),
so this module declares the same package, names, field numbers and proto3 syntax in a private descriptor
pool and lets google.protobuf (the runtime TensorFlow's own protos use) build the classes. Same
descriptor, same runtime: ``SerializeToString(deterministic=True)`` gives the bytes TensorFlow's classes
give, which tests/records/test_example_proto.py checks against tf.train.Example itself.

The pool is private so that TensorFlow, imported later in the same process (the trainer), registers its own
``tensorflow.Example`` in the default pool without a name clash.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_PACKAGE = "tensorflow"
_Field = descriptor_pb2.FieldDescriptorProto


def _field(name: str, number: int, kind: int, label: int = _Field.LABEL_OPTIONAL, message: str = "",
           oneof: int | None = None) -> descriptor_pb2.FieldDescriptorProto:
    field = _Field(name=name, number=number, type=kind, label=label)
    if message:
        field.type_name = f".{_PACKAGE}.{message}"
    if oneof is not None:
        field.oneof_index = oneof
    return field


def _file() -> descriptor_pb2.FileDescriptorProto:
    """example.proto and feature.proto of TensorFlow, as one file (what the wire format sees is identical)."""
    proto = descriptor_pb2.FileDescriptorProto(name="lvseg/records/tf_example.proto", package=_PACKAGE,
                                               syntax="proto3")
    repeated = _Field.LABEL_REPEATED
    for name, kind in (("BytesList", _Field.TYPE_BYTES), ("FloatList", _Field.TYPE_FLOAT),
                       ("Int64List", _Field.TYPE_INT64)):
        message = proto.message_type.add(name=name)
        message.field.append(_field("value", 1, kind, repeated))
        if kind != _Field.TYPE_BYTES:
            message.field[0].options.packed = True  # as feature.proto says (proto3's default anyway)
    feature = proto.message_type.add(name="Feature")
    feature.oneof_decl.add(name="kind")
    for number, (name, message_name) in enumerate((("bytes_list", "BytesList"), ("float_list", "FloatList"),
                                                   ("int64_list", "Int64List")), start=1):
        feature.field.append(_field(name, number, _Field.TYPE_MESSAGE, message=message_name, oneof=0))
    features = proto.message_type.add(name="Features")
    entry = features.nested_type.add(name="FeatureEntry")
    entry.options.map_entry = True
    entry.field.extend([_field("key", 1, _Field.TYPE_STRING), _field("value", 2, _Field.TYPE_MESSAGE,
                                                                     message="Feature")])
    features.field.append(_field("feature", 1, _Field.TYPE_MESSAGE, repeated, message="Features.FeatureEntry"))
    example = proto.message_type.add(name="Example")
    example.field.append(_field("features", 1, _Field.TYPE_MESSAGE, message="Features"))
    return proto


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file())


def _message(name: str) -> Any:
    """The class of one message. Any: classes built at run time have no stubs to tell a type checker their fields."""
    return message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"{_PACKAGE}.{name}"))


Example = _message("Example")
Features = _message("Features")
Feature = _message("Feature")
BytesList = _message("BytesList")
FloatList = _message("FloatList")
Int64List = _message("Int64List")
