"""The Training studio tab: a CNN trains in a worker thread while its curves and filters update.

:class:`~ui.training.widget.TrainingWidget` composes the panels; the run's state lives in one
:class:`~ui.training.session.TrainingSession` that the panels share.
"""
