"""tf.data input: frame records -> (image, target) batches for training and validation.

Reading: the split's shards are interleaved (parallel reads), parsed in parallel with
``lvseg.records.schema.parse_frame_tf``, kept in memory when small (uint8, after parsing), shuffled (stateless
window permutation), batched, augmented per batch and prefetched. The model input is
``lvseg.inference.encode.to_model_input``'s normalization (uint8 / 255), written here in TF ops.

Epochs are generated explicitly, ``Dataset.range(start_epoch, epochs).flat_map(one_epoch)``: each
epoch's shuffle and augmentation are seeded by (seed, epoch, batch index), so a job restarted from its
backup at epoch e sees exactly the batches an uninterrupted job would have seen from epoch e on.
Every stateless draw takes a (key, counter) pair: the key is ``pipeline_key`` (one per input pipeline,
disjoint for any number of pipelines), the counter ``epoch * EPOCH_STRIDE`` plus an offset per use.

Landmark targets are rendered (``heatmap_targets='render'``) in TF at the augmented landmarks with the
records' sigma and the records' uint8 quantization, which reproduces the stored heatmaps exactly when
nothing is augmented; ``'warp'`` resamples the stored heatmaps instead.

With ``--base-weight`` above 0 (the default) the mask model's target gains a second channel, the base
band (the pixels just beyond the true base line and outside the true LV, lvseg.geometry.base.base_band).
It is drawn once per frame from the record's ``base`` and mask when the frame is parsed (before the
cache, so once per run when cached) and then warped with the mask by the augmentation, so band and mask
always move together. Version-1 records have no base: their band is empty and their loss the plain one.

With ``--declutter`` the frames also carry their video's clutter floor (records schema 3) and lose a share of it
before anything else is done to them (trainer.declutter), as ``lvseg analyze`` shows frames to a model.
"""

from __future__ import annotations

import math

import numpy as np

from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.heatmaps import HEATMAP_SCALE
from lvseg.geometry.base import base_band
from lvseg.geometry.landmarks import flip_permutation
from lvseg.inference.encode import INPUT_DIVISOR
from lvseg.records import schema
from lvseg.records.shards import RecordsError
from lvseg.tf_backend import tf
from trainer.augment import AugmentParams, augment_batch
from trainer.config import TrainConfig, max_declutter, val_share
from trainer.declutter import FLOOR, declutter_batch, declutter_fixed
from trainer.record_roots import RecordsInfo, split_files, train_files
from trainer.losses import uses_base_band

AUTOTUNE = tf.data.AUTOTUNE
CACHE_LIMIT_BYTES = 4 * 2**30


def base_band_tf(base: tf.Tensor, mask: tf.Tensor, depth: float) -> tf.Tensor:
    """uint8 (H, W) base band of one frame (lvseg.geometry.base.base_band, run as numpy); empty without a base."""
    def draw(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
        return base_band(points, labels, depth).astype(np.uint8)

    band = tf.numpy_function(draw, [base, mask], tf.uint8, stateful=False)
    return tf.ensure_shape(band, mask.shape)


def parsed_frames(files: list[str] | tf.Tensor, num_landmarks: int, keep_heatmaps: bool,
                  limit: int | None = None, cycle_length: int = 8,
                  band_depth: float | None = None, floor: bool = False) -> tf.data.Dataset:
    """Parsed frames as uint8 ``image`` (H, W), ``mask`` (H, W), float ``landmarks`` (K, 2), ``base`` (4,)
    [, ``heatmaps``] [, uint8 ``base_band`` (H, W) when ``band_depth`` is given] [, float ``clutter_floor`` (H, W)
    with ``floor``]."""
    files_ds = tf.data.Dataset.from_tensor_slices(files)
    records = files_ds.interleave(lambda f: tf.data.TFRecordDataset(f, compression_type="GZIP"),
                                  cycle_length=cycle_length, num_parallel_calls=AUTOTUNE, deterministic=True)
    if limit:
        records = records.take(limit)
    keys = ("image", "mask", "landmarks", "base") + (("heatmaps",) if keep_heatmaps else ()) \
        + ((FLOOR,) if floor else ())

    def parse(serialized):
        parsed = schema.parse_frame_tf(serialized, num_landmarks, clutter_floor=floor)
        frame = {key: parsed[key] for key in keys}
        if band_depth is not None:
            frame["base_band"] = base_band_tf(parsed["base"], parsed["mask"], band_depth)
        return frame

    return records.map(parse, num_parallel_calls=AUTOTUNE)


def render_heatmaps_tf(points: tf.Tensor, sigma: float, size: tuple[int, int] = FRAME_SHAPE) -> tf.Tensor:
    """(B, K, 2) (x, y) -> (B, H, W, K) Gaussians, quantized like the records (round(255 v) / 255)."""
    rows = tf.range(size[0], dtype=tf.float32)[None, :, None, None]
    cols = tf.range(size[1], dtype=tf.float32)[None, None, :, None]
    x, y = points[:, None, None, :, 0], points[:, None, None, :, 1]
    values = tf.exp(-((cols - x) ** 2 + (rows - y) ** 2) / (2.0 * sigma**2))
    return tf.round(values * HEATMAP_SCALE) / HEATMAP_SCALE


def to_float(batch: dict) -> dict:
    """uint8 batch -> float32 in [0, 1], channels last (image, mask and any base band (B, H, W, 1)).

    The image is lvseg.inference.encode.to_model_input in TF ops (tests/trainer/test_data.py keeps them equal).
    """
    out = dict(batch)
    out["image"] = tf.cast(batch["image"], tf.float32)[..., None] / INPUT_DIVISOR
    out["mask"] = tf.cast(batch["mask"], tf.float32)[..., None]
    if "base_band" in batch:
        out["base_band"] = tf.cast(batch["base_band"], tf.float32)[..., None]
    if "heatmaps" in batch:
        out["heatmaps"] = tf.cast(batch["heatmaps"], tf.float32) / HEATMAP_SCALE
    return out


def to_example(batch: dict, config: TrainConfig, sigma: float) -> tuple[tf.Tensor, tf.Tensor]:
    """(model input, target): the mask (with the base band as a second channel when present), or the landmark
    heatmaps (rendered or warped)."""
    if config.model == "mask":
        if "base_band" in batch:
            return batch["image"], tf.concat([batch["mask"], batch["base_band"]], axis=-1)
        return batch["image"], batch["mask"]
    if config.heatmap_targets == "warp":
        return batch["image"], batch["heatmaps"]
    return batch["image"], render_heatmaps_tf(batch["landmarks"], sigma)


def augment_params(config: TrainConfig) -> AugmentParams:
    return AugmentParams(rotation_deg=config.rotation_deg, zoom=config.zoom, shift=config.shift, flip=config.flip,
                         gain=config.gain, gamma=config.gamma, speckle=config.speckle, curve=config.curve,
                         bias=config.bias, blur=config.blur, haze=config.haze, noise=config.noise,
                         dropout=config.wall_dropout)


def band_depth(config: TrainConfig) -> float | None:
    """Depth of the base band the targets carry, or None when the loss does not use it."""
    return config.base_band if uses_base_band(config.model, config.base_weight) else None


def should_cache(config: TrainConfig, frames: int, num_landmarks: int, keep_heatmaps: bool) -> bool:
    """``auto``: cache when the parsed uint8 frames fit comfortably in memory."""
    if config.cache != "auto":
        return config.cache == "memory"
    planes = 2 + (num_landmarks if keep_heatmaps else 0) + (band_depth(config) is not None) \
        + 4 * (max_declutter(config) > 0)  # a float32 floor
    per_frame = FRAME_SHAPE[0] * FRAME_SHAPE[1] * planes + 8 * num_landmarks + 16
    return frames * per_frame < CACHE_LIMIT_BYTES


def steps_per_epoch(config: TrainConfig, info: RecordsInfo, global_batch: int) -> int:
    """The configured steps, or one pass over the (possibly limited) TRAIN frames."""
    if config.steps_per_epoch:
        return config.steps_per_epoch
    frames = min(info.train_frames, config.max_train_frames or info.train_frames)
    return max(1, math.ceil(frames / global_batch))


# Counter layout within one epoch: shuffle windows count from 0, augmented batches from AUGMENT_OFFSET, the file
# order takes FILE_ORDER_OFFSET and the batches' declutter shares count from DECLUTTER_OFFSET; each epoch has 2**24
# counters, far more than its windows or batches.
EPOCH_STRIDE = 2**24
AUGMENT_OFFSET = 2**18
FILE_ORDER_OFFSET = 2**19
DECLUTTER_OFFSET = 2**20
PIPELINE_STRIDE = 2**32  # above the largest --seed (TrainConfig: 2**32 - 1)


def pipeline_key(seed: int, pipeline_id: int) -> np.int64:
    """The first half of every seed pair drawn by input pipeline ``pipeline_id``.

    ``seed + pipeline_id * 2**32``: distinct for every pipeline of a run because the seed is below 2**32,
    and the seed itself for pipeline 0, so a single-pipeline run does not depend on the stride. Fits int64
    for up to 2**31 pipelines.
    """
    return np.int64(seed + pipeline_id * PIPELINE_STRIDE)


def shard_size(frames: int, pipelines: int, pipeline_id: int) -> int:
    """Frames that ``Dataset.shard(pipelines, pipeline_id)`` keeps out of ``frames``."""
    return len(range(pipeline_id, frames, pipelines))


def permute_windows(dataset: tf.data.Dataset, window: int, seed: tf.Tensor) -> tf.data.Dataset:
    """Shuffle: each consecutive window of ``window`` elements is randomly permuted, stateless.

    Used instead of ``Dataset.shuffle`` so the order is a pure function of ``seed`` (a [2] int64 tensor,
    e.g. (seed, epoch)): a restarted job replays it exactly. When ``window`` equals the number of frames
    of a repeated dataset, every pass over the data is one full random permutation.
    """
    def permute(index, block):
        keys = tf.random.stateless_uniform(tf.shape(block["image"])[:1], seed=tf.stack([seed[0], seed[1] + index]))
        order = tf.argsort(keys)
        return {key: tf.gather(value, order) for key, value in block.items()}

    return dataset.batch(window).enumerate().map(permute, num_parallel_calls=AUTOTUNE).unbatch()


def train_dataset(config: TrainConfig, info: RecordsInfo, start_epoch: int, steps: int, global_batch: int,
                  input_context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
    """Augmented (image, target) batches for epochs start_epoch..epochs-1, ``steps`` batches per epoch.

    With an ``input_context`` (distributed training) this pipeline reads its shard of the frames and
    yields per-replica batches, as ``strategy.distribute_datasets_from_function`` expects.
    """
    keep_heatmaps = config.model == "landmarks" and config.heatmap_targets == "warp"
    files = train_files(config)
    pipelines, pipeline_id, batch, batches = 1, 0, global_batch, steps
    if input_context is not None:
        pipelines, pipeline_id = input_context.num_input_pipelines, input_context.input_pipeline_id
        batch = input_context.get_per_replica_batch_size(global_batch)
        batches = steps * (input_context.num_replicas_in_sync // pipelines)
    frames = shard_size(min(info.train_frames, config.max_train_frames or info.train_frames), pipelines, pipeline_id)
    if frames == 0:
        raise RecordsError("no TRAIN frames for this input pipeline")
    cached = should_cache(config, info.train_frames, info.num_landmarks, keep_heatmaps)
    params, permutation = augment_params(config), flip_permutation(info.scheme)
    key = pipeline_key(config.seed, pipeline_id)
    declutter = max_declutter(config)

    def frames_of(file_names) -> tf.data.Dataset:
        base = parsed_frames(file_names, info.num_landmarks, keep_heatmaps, config.max_train_frames,
                             band_depth=band_depth(config), floor=declutter > 0)
        return base.shard(pipelines, pipeline_id) if pipelines > 1 else base

    cache = frames_of(files).cache() if cached else None

    def one_epoch(epoch):
        stream = epoch * EPOCH_STRIDE
        if cache is not None:
            base = cache
        else:  # a fresh file order per epoch, then a block shuffle
            order = tf.random.stateless_uniform([len(files)], seed=tf.stack([key, stream + FILE_ORDER_OFFSET]))
            base = frames_of(tf.gather(tf.constant(files), tf.argsort(order)))
        shuffled = permute_windows(base.repeat(), min(config.shuffle_buffer, frames), tf.stack([key, stream]))
        batched = shuffled.batch(batch, drop_remainder=True).take(batches)

        def finish(index, batch_dict):
            if declutter:
                batch_dict = declutter_batch(batch_dict, tf.stack([key, stream + DECLUTTER_OFFSET + index]), declutter)
            batch_dict = to_float(batch_dict)
            if config.augment:
                batch_dict = augment_batch(batch_dict, tf.stack([key, stream + AUGMENT_OFFSET + index]), params,
                                           permutation)
            return to_example(batch_dict, config, info.sigma)

        return batched.enumerate().map(finish, num_parallel_calls=AUTOTUNE)

    epochs = tf.data.Dataset.range(start_epoch, config.epochs)
    return epochs.flat_map(one_epoch).prefetch(AUTOTUNE)


def val_dataset(config: TrainConfig, info: RecordsInfo, global_batch: int) -> tf.data.Dataset:
    """Unaugmented (image, target) batches of VAL, every frame once."""
    keep_heatmaps = config.model == "landmarks" and config.heatmap_targets == "warp"
    declutter = max_declutter(config)
    base = parsed_frames(split_files(config.records, "VAL"), info.num_landmarks, keep_heatmaps,
                         config.max_val_frames, band_depth=band_depth(config), floor=declutter > 0)
    if should_cache(config, info.val_frames, info.num_landmarks, keep_heatmaps):
        base = base.cache()
    batches = base.batch(global_batch)
    if declutter:
        batches = batches.map(lambda b: declutter_fixed(b, val_share(declutter)))
    batches = batches.map(to_float).map(lambda b: to_example(b, config, info.sigma))
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return batches.prefetch(AUTOTUNE).with_options(options)


def load_split(records: str, split: str, num_landmarks: int, limit: int | None = None,
               declutter: float = 0.0) -> dict[str, np.ndarray]:
    """A whole split in memory (uint8 ``image``/``mask`` (N, H, W), ``landmarks`` (N, K, 2)), for callbacks; the
    images less ``declutter`` times their clutter floors when it is above 0."""
    dataset = parsed_frames(split_files(records, split), num_landmarks, False, limit, floor=declutter > 0).batch(256)
    if declutter:
        dataset = dataset.map(lambda b: declutter_fixed(b, declutter))
    parts = list(dataset.as_numpy_iterator())
    if not parts:
        return {"image": np.zeros((0, *FRAME_SHAPE), np.uint8), "mask": np.zeros((0, *FRAME_SHAPE), np.uint8),
                "landmarks": np.zeros((0, num_landmarks, 2), np.float32)}
    return {key: np.concatenate([p[key] for p in parts]) for key in ("image", "mask", "landmarks")}
