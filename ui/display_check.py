"""Tell the user, in words, why a window cannot open, before Qt aborts with a core dump.

Qt's xcb platform plugin calls ``qFatal`` (which aborts the process) when there is no X display or a
library it needs is missing. We check both first and print which Debian packages to install.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path

# The shared libraries Qt 6's xcb plugin loads, and the Debian package that ships each.
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-xinerama": "libxcb-xinerama0",
    "xcb-randr": "libxcb-randr0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
}


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries the xcb plugin needs but the system cannot find."""
    return [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def _launch_command() -> str:
    """How to start the app again with the interpreter running now (its venv has the packages).

    A bare ``python main.py`` would pick the system Python, which lacks PySide6 when the app was
    installed into a virtual environment (``make run`` uses ``.venv``).
    """
    python = Path(sys.executable or "python3")
    try:
        python = python.relative_to(Path.cwd())  # e.g. .venv/bin/python
    except ValueError:
        pass
    return f"{python} main.py"


def display_problem(
    environ: dict[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """A message explaining why no window can open here, or None when it should work.

    Only Linux/X11 is checked; other platforms (and explicit non-xcb QT_QPA_PLATFORM values such as
    ``offscreen`` or ``wayland``) are left to Qt.
    """
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith("xcb"):
        return None
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "cnnviz needs a graphical display, and none was found (DISPLAY is not set).\n"
            "Run it from a desktop session, or on a headless machine under a virtual screen:\n"
            f"    sudo apt-get install xvfb && xvfb-run -a {_launch_command()}\n"
            f"To only render a picture of the window: {_launch_command()} --screenshot out.png"
        )
    missing = missing_xcb_packages()
    if missing:
        return (
            "cnnviz cannot open a window: Qt's X11 (xcb) plugin needs libraries that are not "
            "installed.\n"
            f"Install them with:\n    sudo apt-get install {' '.join(missing)}"
        )
    return None
