"""The guided tour (Help > Tour): a docked panel that walks through the app, stop by stop.

``controller`` owns the stop index and Back/Next/Exit, ``apply`` sets the window up for a stop,
``panel`` is the docked strip, ``highlight`` outlines the control a stop is about. The stops
themselves are plain data in :mod:`cnnviz.tour`.
"""
