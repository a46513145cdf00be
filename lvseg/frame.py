"""The frame every stage works on: one grey uint8 image of EchoNet-Dynamic's size, 112 x 112 pixels.

The reader rejects other sizes, the records store this size, and the models take (112, 112, 1)
inputs; every module that needs the size imports it from here.
"""

FRAME_SHAPE: tuple[int, int] = (112, 112)  # (rows, columns)
