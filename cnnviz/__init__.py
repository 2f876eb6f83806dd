"""cnnviz: the NumPy engine behind the app (convolutions, layers, training, explanations).

This package never imports Qt; ``ui`` builds on it, never the reverse. Submodules are imported
explicitly (``from cnnviz.ops import conv2d``) so that importing one part stays cheap.
"""

__version__ = "0.1.0"
