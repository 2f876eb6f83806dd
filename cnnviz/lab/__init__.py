"""The playground's and the "Why CNNs" tab's maths, Qt-free.

``conv`` computes what the playground shows (:func:`~cnnviz.lab.conv.compute`), ``pixel`` the
multiply-and-sum behind one output pixel, ``speed`` loops against vectorised code, ``translation``
equivariance measured, ``kernels`` the preset kernels and ``patterns`` the synthetic test images.
``experiments`` holds the "Why CNNs" tab's experiments (MLP against CNNs, trained side by side).
"""
