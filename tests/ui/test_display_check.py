"""The launcher explains a missing display in words instead of letting Qt abort."""

import sys

from ui.display_check import display_problem


def test_no_display_on_linux_is_explained_with_xvfb_hint():
    message = display_problem({}, platform="linux")
    assert "DISPLAY" in message and "xvfb" in message


def test_the_xvfb_hint_uses_the_interpreter_that_has_the_apps_packages(monkeypatch, tmp_path):
    # "xvfb-run -a python main.py" fails with a system Python that lacks PySide6.
    venv_python = tmp_path / ".venv" / "bin" / "python"
    monkeypatch.setattr(sys, "executable", str(venv_python))
    monkeypatch.chdir(tmp_path)
    message = display_problem({}, platform="linux")
    assert "xvfb-run -a .venv/bin/python main.py" in message
    assert "python main.py --screenshot" not in message.replace(".venv/bin/python", "")


def test_offscreen_platform_needs_no_display():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None


def test_wayland_session_is_left_to_qt():
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, platform="linux") is None


def test_other_operating_systems_are_not_checked():
    assert display_problem({}, platform="darwin") is None


def test_missing_xcb_libraries_name_their_debian_packages(monkeypatch):
    import ui.display_check as dc

    def fake_find_library(name):
        return None if name == "xcb-cursor" else "found"

    monkeypatch.setattr(dc.ctypes.util, "find_library", fake_find_library)
    message = display_problem({"DISPLAY": ":0"}, platform="linux")
    assert "libxcb-cursor0" in message and "apt-get install" in message
