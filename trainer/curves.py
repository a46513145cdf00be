"""The training-curve PNG beside the model: loss, Dice and (landmark model) landmark error per epoch."""

from __future__ import annotations

PANELS = (("loss", ("loss", "val_loss")), ("Dice", ("dice", "val_dice")),
          ("landmark error (px)", ("val_landmark_error_px",)))


def plot_history(history: dict[str, list], path: str, title: str = "") -> None:
    """Write one row of panels for the metrics present in ``history`` (epoch -> value lists)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = history.get("epoch") or list(range(1, len(history.get("loss", [])) + 1))
    panels = [(label, [k for k in keys if any(v is not None for v in history.get(k, []))])
              for label, keys in PANELS]
    panels = [(label, keys) for label, keys in panels if keys]
    fig, axes = plt.subplots(1, max(len(panels), 1), figsize=(4.5 * max(len(panels), 1), 3.6), squeeze=False)
    for ax, (label, keys) in zip(axes[0], panels):
        for key in keys:
            values = [float("nan") if v is None else v for v in history[key]]
            ax.plot(epochs, values, marker="o", markersize=3, label=key)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
