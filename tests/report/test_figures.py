"""lvseg.report.figures and page: pictures come back as real PNG / GIF bytes; page helpers escape and format."""

from __future__ import annotations

import io

import numpy as np

from lvseg.report import figures, page

PNG = b"\x89PNG\r\n\x1a\n"


def test_histogram_and_overlay_grid_are_png_images():
    assert figures.dice_histogram([0.1, 0.9, 0.95], "m on d", pooled=0.9, failed=1).startswith(PNG)
    image = np.zeros((20, 20), np.uint8)
    mask = np.zeros_like(image)
    mask[5:15, 5:15] = 1
    example = {"label": "best", "image": image, "true": mask, "pred": mask, "dice": 1.0, "caption": "d/v/ED/0"}
    assert figures.overlay_grid([example], "title").startswith(PNG)


def test_gif_has_one_frame_per_image_and_draws_the_contours():
    import imageio.v3 as iio

    images = np.stack([np.full((16, 16), 40 + 10 * i, np.uint8) for i in range(4)])  # distinct frames
    mask = np.zeros((16, 16), np.uint8)
    mask[4:12, 4:12] = 1
    gif = figures.video_gif(images, [mask, None, mask, mask], [None, None, mask, None], fps=50)
    frames = iio.imread(io.BytesIO(gif), index=None)
    assert frames.shape[0] == 4
    assert len(np.unique(frames[1].reshape(-1, 3), axis=0)) == 1  # no prediction, no truth: nothing drawn
    assert len(np.unique(frames[0].reshape(-1, 3), axis=0)) == 2  # the predicted contour on the frame


def test_page_helpers():
    assert page.fmt(None) == "–" and page.fmt(0.123456) == "0.1235"
    assert page.cell("x", "num") == '<td class="num">x</td>'
    assert "&lt;b&gt;" in page.table(["<b>"], [])
    assert "swatch" in page.contour_legend()
