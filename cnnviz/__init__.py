"""cnnviz: the NumPy engine behind the app (convolutions, layers, training, explanations).

This package never imports Qt; ``ui`` builds on it, never the reverse. Its parts::

    cnnviz.nn        the network engine (layers, functional ops, reference loops, architecture)
    cnnviz.optim     SGD and Adam
    cnnviz.data      data sets, file formats, bundled assets, image conversion
    cnnviz.lab       the playground's maths
    cnnviz.train     the training loop;  cnnviz.explain  saliency, Grad-CAM, ...
    cnnviz.io        model files;        cnnviz.runtime  opt-in process-wide speed settings

Importing any of them has no process-wide side effect (see :func:`cnnviz.runtime.tune`).
"""

__version__ = "0.1.0"
