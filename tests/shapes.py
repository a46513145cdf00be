"""LV-like test shapes with known geometry, shared by the geometry, dataset and analysis tests."""

import math

import numpy as np
from hypothesis import strategies as st

from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.mask import Tracing


def ellipse_tracing(cx=60.0, cy=55.0, a=30.0, b=14.0, angle_deg=75.0) -> Tracing:
    """Tracing of an ellipse whose long axis (length 2a) runs from the apex (top) to the base."""
    th = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    ang = math.radians(angle_deg)
    c, s = math.cos(ang), math.sin(ang)
    x, y = a * np.cos(th), b * np.sin(th)
    contour = np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)
    apex = np.array([cx - a * c, cy - a * s])
    base = np.array([cx + a * c, cy + a * s])
    return tracing_from_contour(contour, apex, base)


ellipses = st.builds(ellipse_tracing, cx=st.floats(45, 65), cy=st.floats(45, 60), a=st.floats(15, 35),
                     b=st.floats(6, 18), angle_deg=st.floats(60, 90))
