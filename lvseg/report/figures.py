"""The reports' pictures as bytes: Dice histograms, overlay grids, EF scatter and Bland-Altman plots, volume
curves (PNG), and video GIFs.

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

from lvseg.analysis.agreement import LOA_Z  # noqa: E402
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
    ax.hist(np.asarray(dice, dtype=float), bins=np.linspace(0.0, 1.0, 51).tolist(), color="#56779a", edgecolor="white")
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
              fps: float, scale: int = 1, captions: list[str] | None = None) -> bytes:
    """Animated GIF (loops): every frame with its predicted contour, the true one where traced, and an
    optional caption per frame (e.g. the running EF) written in its top-left corner."""
    import cv2
    import imageio.v3 as iio

    frames = np.stack([overlay.overlay(image, true, pred, scale) for image, pred, true in zip(images, preds, truths)])
    for frame, caption in zip(frames, captions or []):
        cv2.putText(frame, caption, (2, 9 * scale), cv2.FONT_HERSHEY_PLAIN, 0.6 * scale, (255, 255, 255), 1,
                    cv2.LINE_AA)
    duration_ms = 1000.0 / min(max(float(fps), 1.0), MAX_GIF_FPS)
    return iio.imwrite("<bytes>", frames, extension=".gif", duration=duration_ms, loop=0)


def ef_scatter(predicted: list[float], reference: list[float], title: str) -> bytes:
    """PNG: predicted against reference EF (%), with the identity line and the EF 35 % / 50 % thresholds."""
    fig, ax = plt.subplots(figsize=(3.8, 3.6))
    ax.plot([0, 100], [0, 100], color="#999999", linewidth=1, label="identity")
    for threshold in (35, 50):
        ax.axvline(threshold, color="#dddddd", linewidth=0.8)
        ax.axhline(threshold, color="#dddddd", linewidth=0.8)
    ax.scatter(reference, predicted, s=14, color=overlay.hex_colour(overlay.PRED_COLOUR), edgecolor="#333333",
               linewidth=0.4, zorder=3)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("reference EF (%)")
    ax.set_ylabel("predicted EF (%)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return _png(fig)


def bland_altman(predicted: list[float], reference: list[float], title: str) -> bytes:
    """PNG: difference (predicted - reference) against the mean of the two, bias and 95 % limits of agreement."""
    p, r = np.asarray(predicted, float), np.asarray(reference, float)
    diff, mean = p - r, (p + r) / 2.0
    fig, ax = plt.subplots(figsize=(3.8, 3.6))
    ax.scatter(mean, diff, s=14, color=overlay.hex_colour(overlay.PRED_COLOUR), edgecolor="#333333", linewidth=0.4)
    if len(diff) >= 2:
        bias, spread = float(diff.mean()), LOA_Z * float(diff.std(ddof=1))  # as in summary.json
        for value, style, label in ((bias, "-", f"bias {bias:+.1f}"), (bias - spread, "--", f"{bias - spread:+.1f}"),
                                    (bias + spread, "--", f"{bias + spread:+.1f}")):
            ax.axhline(value, color="#d55e00", linestyle=style, linewidth=1)
            ax.annotate(label, (1.0, value), xycoords=("axes fraction", "data"), fontsize=7, ha="right",
                        va="bottom", color="#d55e00")
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("mean of predicted and reference EF (%)")
    ax.set_ylabel("predicted - reference (EF points)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return _png(fig)


def volume_curve(volumes: np.ndarray, smoothed: np.ndarray, beats: list[tuple[int, int]], fps: float,
                 title: str) -> bytes:
    """PNG: a video's per-frame LV volume (dots), its smoothed curve, and each beat's ED and ES frames."""
    t = np.arange(len(volumes)) / max(float(fps), 1e-6)
    fig, ax = plt.subplots(figsize=(5.0, 2.6))
    ax.plot(t, volumes, ".", markersize=3, color="#8899aa", label="per frame")
    ax.plot(t, smoothed, color=overlay.hex_colour(overlay.TRUE_COLOUR), linewidth=1.4, label="smoothed")
    for i, (ed, es) in enumerate(beats):
        ax.axvline(ed / fps, color="#009e73", linewidth=1, label="ED" if i == 0 else None)
        ax.axvline(es / fps, color="#d55e00", linewidth=1, linestyle="--", label="ES" if i == 0 else None)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("LV volume (disks)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper right", ncol=4, frameon=False)
    fig.tight_layout()
    return _png(fig)
