"""The playground's maths, Qt-free: one convolution explained pixel by pixel.

``conv`` computes what the playground shows (:func:`~cnnviz.lab.conv.compute`), ``pixel`` the
multiply-and-sum behind one output pixel, ``speed`` loops against vectorised code, ``translation``
equivariance measured, ``kernels`` the preset kernels and ``patterns`` the synthetic test images.
"""
