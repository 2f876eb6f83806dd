"""Run a snippet of Python in a child process under an address-space limit and a time limit.

Hostile files are opened in a child, never in the test process: if a loader did allocate what a
file declares, or hang on it, the child dies or is killed and the test reports that, instead of
the whole suite running out of memory or freezing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = int(1.5 * 2**30)   # about 1.5 GB: far below what the attacks ask for
TIME_LIMIT_S = 60.0

_PREAMBLE = """
import resource
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
"""


@dataclass
class LimitedRun:
    """What the child did: exit code, output, and whether the time limit killed it."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    def last_json(self) -> dict:
        """The last line of stdout as JSON (the snippet's report)."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"the child printed nothing; stderr:\n{self.stderr[-2000:]}"
        return json.loads(lines[-1])


def run_limited(code: str, timeout: float = TIME_LIMIT_S,
                limit: int = ADDRESS_SPACE) -> LimitedRun:
    """Run ``code`` in a fresh interpreter with ``RLIMIT_AS = limit`` and a wall-clock limit."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    script = _PREAMBLE.format(limit=int(limit)) + textwrap.dedent(code)
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        return LimitedRun(None, _text(exc.stdout), _text(exc.stderr), time.monotonic() - start,
                          True)
    return LimitedRun(done.returncode, done.stdout, done.stderr, time.monotonic() - start,
                      False)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


@pytest.fixture
def limited():
    """The :func:`run_limited` function."""
    return run_limited
