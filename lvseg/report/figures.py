"""The evaluation's pictures as bytes: Dice histograms and overlay grids (PNG), and video GIFs.

Returning bytes (not writing files) lets the caller put them anywhere, local or gs://, through
lvseg.storage. matplotlib runs on the Agg backend: no display is ever needed.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from lvseg.report import overlay  # noqa: E402

MAX_GIF_FPS = 50.0  # browsers slow down GIF frame delays under 20 ms to 100 ms


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def legend_handles() -> list[Patch]:
    """The true / predicted contour legend every overlay figure shows."""
    return [Patch(color=overlay.hex_colour(overlay.TRUE_COLOUR), label=overlay.TRUE_LABEL),
            Patch(color=overlay.hex_colour(overlay.PRED_COLOUR), label=overlay.PRED_LABEL)]


def dice_histogram(dice: list[float], title: str, pooled: float | None = None, failed: int = 0) -> bytes:
    """PNG: per-frame Dice histogram (0-1 in 0.02 bins), the pooled Dice as a vertical line."""
    fig, ax = plt.subplots(figsize=(4.2, 3.0))
    ax.hist(np.asarray(dice, dtype=float), bins=np.linspace(0.0, 1.0, 51), color="#56779a", edgecolor="white")
    if pooled is not None:
        ax.axvline(pooled, color="#d55e00", linestyle="--", label=f"pooled {pooled:.4f}")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("per-frame Dice")
    ax.set_ylabel("frames")
    ax.set_title(title + (f"  ({failed} failed)" if failed else ""), fontsize=9)
    fig.tight_layout()
    return _png(fig)


def overlay_grid(examples: list[dict], title: str, scale: int = 3) -> bytes:
    """PNG: one panel per example (keys: label, image, true, pred, dice, caption) with a shared legend."""
    fig, axes = plt.subplots(1, max(len(examples), 1), figsize=(2.6 * max(len(examples), 1), 3.2), squeeze=False)
    for ax, ex in zip(axes[0], examples):
        ax.imshow(overlay.overlay(ex["image"], ex["true"], ex["pred"], scale), interpolation="nearest")
        ax.set_title(f"{ex['label']}: Dice {ex['dice']:.3f}", fontsize=9)
        ax.set_xlabel(ex.get("caption", ""), fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[0][len(examples):]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.legend(handles=legend_handles(), loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return _png(fig)


def video_gif(images: np.ndarray, preds: list[np.ndarray | None], truths: list[np.ndarray | None],
              fps: float, scale: int = 1) -> bytes:
    """Animated GIF (loops): every frame with its predicted contour, and the true one where traced."""
    import imageio.v3 as iio

    frames = np.stack([overlay.overlay(image, true, pred, scale) for image, pred, true in zip(images, preds, truths)])
    duration_ms = 1000.0 / min(max(float(fps), 1.0), MAX_GIF_FPS)
    return iio.imwrite("<bytes>", frames, extension=".gif", duration=duration_ms, loop=0)
