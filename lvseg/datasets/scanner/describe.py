"""What a scanner clip is and how the EchoNet rule would convert it, without converting it (``lvseg inspect``).

Reads the header and the sample of frames the sector search uses (lvseg.datasets.scanner.convert.locate),
never the whole clip: the container and its transfer syntax or codec, the frame size and count, the frame
rate and where it came from, the pixel spacing (or why there is none), the sector found and the crop and
scale the rule applies; or the named reason the clip would be rejected.
"""

from __future__ import annotations

from lvseg.datasets.scanner.convert import locate
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.reader import open_clip
from lvseg.datasets.video import VideoError


def describe_clip(path: str, fallback_fps: float | None = None, limits: Limits = Limits()) -> dict:
    """A JSON-able description: ``status`` "ok" with the facts above, or "rejected" with ``reason``/``detail``
    (and whatever was learnt before the reject)."""
    info: dict = {"status": "ok"}
    try:
        source = open_clip(path, limits, fallback_fps)
        info.update(kind=source.kind, container=source.container, width=source.columns, height=source.rows,
                    frames=source.frame_count, fps=round(source.fps, 3), fps_origin=source.fps_origin,
                    spacing_mm=None if source.spacing is None else [source.spacing.x_mm, source.spacing.y_mm],
                    spacing=source.spacing.origin if source.spacing is not None else source.spacing_note,
                    bmode_region=list(source.bmode_box) if source.bmode_box is not None else None)
        mapping = locate(source)
        info.update(sector_box=list(mapping.sector.box), sector_apex=[round(v, 1) for v in mapping.sector.apex],
                    crop=list(mapping.crop), scale=round(mapping.scale, 5),
                    mm_per_pixel_112=None if mapping.mm_per_pixel is None else round(mapping.mm_per_pixel, 5))
    except VideoError as err:
        info.update(status="rejected", reason=err.reason.value, detail=err.detail)
    return info


def describe_line(name: str, info: dict) -> str:
    """One line of text for a description (``lvseg inspect``'s output)."""
    if info["status"] != "ok":
        return f"{name}: rejected {info['reason']}: {info['detail']}"
    frames = "?" if info["frames"] is None else info["frames"]
    spacing = ("spacing {:.4g} x {:.4g} mm".format(*info["spacing_mm"]) + f" ({info['spacing']})"
               if info["spacing_mm"] else f"no spacing ({info['spacing']})")
    x0, y0, side = info["crop"]
    return (f"{name}: {info['container']}, {info['width']}x{info['height']}, {frames} frames, {info['fps']:g} fps "
            f"({info['fps_origin']}), {spacing}; sector {info['sector_box']} apex {info['sector_apex']}; crop "
            f"{side}x{side} at ({x0}, {y0}) -> 112x112, scale {info['scale']:.4g}")
