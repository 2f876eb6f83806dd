"""Run hostile reproducers the way the issue asks: in a subprocess, within an address-space limit
(``RLIMIT_AS``, 1.5 GB) and a time limit, so a bomb that gets through fails the test instead of
taking the machine (or the test run) down with it.

:func:`run_limited` runs one snippet and returns what happened. :func:`run_cases` runs several
named snippets in one subprocess (starting Python and Qt once keeps the suite fast) and reports,
for each, what it raised: a case that hangs makes the whole run time out, which fails every test
that uses it, as it should.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ADDRESS_SPACE_BYTES = 1536 << 20


@dataclass
class Run:
    """The outcome of one subprocess: exit code, output, wall time, and whether it timed out."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    def last_json(self) -> dict:
        """The last line of stdout as JSON (the snippet's report)."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"the child printed nothing; stderr:\n{self.stderr[-2000:]}"
        return json.loads(lines[-1])


# First lines of every child: the limit holds before NumPy or Qt is imported.
_PRELUDE = ("import resource\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE_BYTES}, "
            f"{ADDRESS_SPACE_BYTES}))\n")


def run_limited(code: str, timeout: float = 30.0, args: list[str] | None = None,
                workdir: str | os.PathLike[str] | None = None) -> Run:
    """Run ``python -c code [args]`` from the project root under the limits.

    The child sees ``HOSTILE_DIR`` (a fresh temporary folder, also its HOME and settings folder,
    so the user's settings are never read or written), the Qt offscreen platform, and
    ``tests/hostile`` on its path (for :mod:`makers`).
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder = str(workdir or scratch)
        env = dict(os.environ, HOSTILE_DIR=folder, HOME=folder, XDG_CONFIG_HOME=folder,
                   QT_QPA_PLATFORM="offscreen", CNNVIZ_SETTINGS_SCOPE="cnnviz-hostile",
                   OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]))
        start = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-c", _PRELUDE + textwrap.dedent(code), *(args or [])],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            return Run(None, exc.stdout or "", exc.stderr or "", time.monotonic() - start, True)
        return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


_CASE_RUNNER = r'''
import json, sys, time, traceback
results = {}
def report(name, fn):
    start = time.monotonic()
    try:
        value = fn()
        outcome = {"raised": None, "message": "", "value": value}
    except BaseException as exc:  # what escaped is exactly what the test wants to know
        outcome = {"raised": type(exc).__name__, "message": str(exc)[:5000],
                   "length": len(str(exc)), "value": None}
    outcome["seconds"] = time.monotonic() - start
    print("CASE " + json.dumps({"name": name, **outcome}, default=repr), flush=True)
'''


@dataclass
class Outcome:
    """What one case did: the type it raised (None if it returned), its message, the value it
    returned (JSON-able), and how long it took."""

    raised: str | None
    message: str
    value: object
    seconds: float
    length: int = 0

    def refused(self) -> bool:
        """Raised ValueError or OSError with a short, non-empty sentence."""
        return self.raised in ("ValueError", "OSError") and 0 < self.length <= 600


def run_cases(setup: str, cases: dict[str, str], timeout: float = 40.0) -> dict[str, Outcome]:
    """Run ``setup`` once, then each case's code (a function body; ``return`` a JSON-able
    value) in one limited subprocess; returns each case's :class:`Outcome` by name.

    Raises
    ------
    AssertionError
        If the subprocess timed out or died (a hang or a crash is a failure of every case).
    """
    body = [_CASE_RUNNER, textwrap.dedent(setup)]
    for index, (name, code) in enumerate(cases.items()):
        body.append(f"def _case_{index}():\n" + textwrap.indent(textwrap.dedent(code), "    "))
        body.append(f"report({name!r}, _case_{index})")
    run = run_limited("\n".join(body), timeout)
    assert not run.timed_out, f"the cases hung (no end after {timeout} s): {run.stdout[-800:]}"
    outcomes = {}
    for line in run.stdout.splitlines():
        if line.startswith("CASE "):
            data = json.loads(line[5:])
            name = data.pop("name")
            outcomes[name] = Outcome(**data)
    missing = set(cases) - set(outcomes)
    assert not missing, f"cases {sorted(missing)} never reported: {run.stderr[-1500:]}"
    return outcomes


@pytest.fixture
def limited():
    """The :func:`run_limited` function, for tests that take it as a fixture."""
    return run_limited
