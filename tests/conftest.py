"""Settings shared by every test: Qt renders offscreen, so the suite runs without a screen."""

import os

# Before any Qt import anywhere in the session.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Preferences written by tests go to a throw-away scope, never the user's real QSettings.
os.environ.setdefault("CNNVIZ_SETTINGS_SCOPE", "cnnviz-tests")
