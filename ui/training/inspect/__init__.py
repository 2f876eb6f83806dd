"""The training studio's Inspect area: one test sample explained by the method of your choice.

:class:`InspectPanel` holds the sample and class pickers and the method selector; each method is
a :class:`~ui.training.inspect.method_view.MethodView` in a module of its own, computing with
:mod:`cnnviz.explain` (in the background when it takes more than a few milliseconds).
"""

from ui.training.inspect.panel import InspectPanel

__all__ = ["InspectPanel"]
