"""The bucket layout and image names every `lvseg cloud` command shares."""

from __future__ import annotations

import pytest

from lvseg import __version__
from lvseg.cloud.bucket import BucketLayout, ImageRegistry, bucket_name


def test_layout_folders():
    layout = BucketLayout("gs://my-bucket/")
    assert layout.root == "gs://my-bucket"
    assert layout.raw() == "gs://my-bucket/raw/echonet"
    assert layout.raw("camus") == "gs://my-bucket/raw/camus"
    assert layout.records == "gs://my-bucket/records"
    assert layout.model_base("mask") == "gs://my-bucket/models/mask"
    assert layout.model_dir("mask") == "gs://my-bucket/models/mask/model"
    assert layout.export_dir("mask") == "gs://my-bucket/exports/mask"
    assert layout.report_dir("run-1") == "gs://my-bucket/reports/run-1"
    assert layout.template("preprocess") == "gs://my-bucket/templates/preprocess.json"
    assert (layout.temp, layout.staging) == ("gs://my-bucket/dataflow/temp", "gs://my-bucket/dataflow/staging")


def test_bare_names_resolve_inside_the_bucket_and_uris_stay():
    layout = BucketLayout("my-bucket")
    assert layout.resolve_model("landmarks") == "gs://my-bucket/models/landmarks/model"
    assert layout.resolve_model("gs://other/m/") == "gs://other/m"
    assert layout.resolve_dataset("gs://other/data") == "gs://other/data"
    assert layout.fuse(layout.records) == "/gcs/my-bucket/records"
    with pytest.raises(ValueError):
        layout.fuse("gs://other/records")


@pytest.mark.parametrize("bad", ["", "gs://", "gs://b/sub", "UPPER", "x", "gs://-dash"])
def test_bad_buckets_are_rejected(bad):
    with pytest.raises(ValueError):
        bucket_name(bad)


@pytest.mark.parametrize("bad", ["../up", "a/b", "", ".hidden"])
def test_names_are_single_segments(bad):
    with pytest.raises(ValueError):
        BucketLayout("my-bucket").model_dir(bad)


def test_image_names():
    images = ImageRegistry("my-proj", "europe-west4")
    assert images.trainer == f"europe-west4-docker.pkg.dev/my-proj/lvseg/lvseg-trainer:{__version__}"
    assert ImageRegistry("p-1", "us-central1", "repo", "abc").beam == \
        "us-central1-docker.pkg.dev/p-1/repo/lvseg-beam:abc"
