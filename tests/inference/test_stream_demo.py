"""lvseg analyze --stream refuses a frame rate outside the bounds every other reader applies."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.errors import UserError
from lvseg.inference import stream_demo
from lvseg.synth.clips import write_avi


def test_an_absurd_frame_rate_is_one_line_not_a_hang(tmp_path):
    path = str(tmp_path / "clip.avi")
    write_avi(path, np.full((20, 112, 112), 40, np.uint8), 50)
    with pytest.raises(UserError, match="outside 1-1000 fps"):
        stream_demo.main(["--stream", path, "--models", "oracle:truth", "--fps", "1e6"])
