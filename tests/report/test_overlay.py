"""lvseg.report.overlay: contours are the mask's edge pixels, drawn in the fixed true / predicted colours."""

import numpy as np

from lvseg.report import overlay


def square(size=8, lo=2, hi=6):
    mask = np.zeros((size, size), np.uint8)
    mask[lo:hi, lo:hi] = 1
    return mask


def test_contour_of_a_square_is_its_border():
    edge = overlay.contour(square())
    expected = square().astype(bool)
    expected[3:5, 3:5] = False
    assert np.array_equal(edge, expected)


def test_contour_counts_the_frame_edge_as_outside_and_empty_mask_has_none():
    full = np.ones((4, 4), np.uint8)
    edge = overlay.contour(full)
    assert edge.sum() == 12 and not edge[1:3, 1:3].any()
    assert not overlay.contour(np.zeros((4, 4), np.uint8)).any()


def test_draw_contours_colours_only_the_edges_and_keeps_the_image_elsewhere():
    image = np.full((8, 8), 50, np.uint8)
    rgb = overlay.overlay(image, square(), None)
    assert rgb.shape == (8, 8, 3) and rgb.dtype == np.uint8
    edge = overlay.contour(square())
    assert (rgb[edge] == overlay.TRUE_COLOUR).all()
    assert (rgb[~edge] == 50).all()


def test_prediction_is_drawn_over_the_truth_and_none_layers_are_skipped():
    image = np.zeros((8, 8), np.uint8)
    rgb = overlay.overlay(image, square(), square())
    assert (rgb[overlay.contour(square())] == overlay.PRED_COLOUR).all()
    assert (overlay.overlay(image, None, None) == 0).all()


def test_upscale_keeps_lines_one_pixel_wide():
    rgb = overlay.overlay(np.zeros((8, 8), np.uint8), square(), None, scale=3)
    assert rgb.shape == (24, 24, 3)
    coloured = (rgb == overlay.TRUE_COLOUR).all(axis=2)
    assert np.array_equal(coloured, overlay.contour(overlay.upscale(square(), 3)))
    assert coloured[6:18, 6].all() and not coloured[7:17, 7].any()  # the left wall: one column thick


def test_hex_colour():
    assert overlay.hex_colour((0, 114, 178)) == "#0072b2"
