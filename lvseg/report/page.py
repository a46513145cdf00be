"""The HTML pieces every lvseg report page shares: one style sheet, number formatting, tables, the legend.

Pages work offline (inline CSS, no script, images by relative path), so a report folder can be copied
anywhere and opened. Evaluation's report.html and analysis's report build on these.
"""

from __future__ import annotations

from html import escape

from lvseg.report import overlay

CSS = """
body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1d2733;max-width:1400px}
h1{font-size:1.5em;margin-bottom:4px}
h2{font-size:1.15em;margin-top:28px;border-bottom:1px solid #ccd;padding-bottom:3px}
.notice{background:#fff4e5;border:1px solid #f0b36b;padding:8px 12px;border-radius:4px;margin:12px 0}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d5dae1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
td img{max-width:100%}.gif{width:224px;image-rendering:pixelated}.muted{color:#667}
.swatch{display:inline-block;width:14px;height:14px;border-radius:2px;vertical-align:middle;margin:0 4px 0 12px}
"""


def fmt(value, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def cell(text: str, cls: str = "", attrs: str = "") -> str:
    return f"<td{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}{attrs}>{text}</td>"


def table(head: list[str], rows: list[str]) -> str:
    return ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>\n" + "\n".join(rows)
            + "</table>")


def contour_legend() -> str:
    items = [(overlay.TRUE_COLOUR, overlay.TRUE_LABEL), (overlay.PRED_COLOUR, overlay.PRED_LABEL)]
    return "<p>Contours:" + "".join(
        f'<span class="swatch" style="background:{overlay.hex_colour(c)}"></span>{escape(label)}'
        for c, label in items) + "</p>"
