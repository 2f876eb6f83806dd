"""Process-wide speed settings happen only when asked: importing the engine changes nothing,
``cnnviz.runtime.tune()`` does (DESIGN.md, issue 7 "side effects only where asked")."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cnnviz

ROOT = Path(cnnviz.__file__).parent.parent
ON_LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"),
                              reason="glibc allocator and /proc/self/maps")

# Reads the BLAS thread count from NumPy's own OpenBLAS (found in /proc/self/maps once NumPy is
# loaded): the setting tune() changes. None when this NumPy has no OpenBLAS.
_BLAS_THREADS = textwrap.dedent("""
    import ctypes, json, os, sys
    import numpy as np

    def blas_threads():
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()
                            and line.split()[-1].startswith("/")})
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                         "openblas_get_num_threads64_", "openblas_get_num_threads"):
                getter = getattr(lib, name, None)
                if getter is not None:
                    getter.restype = ctypes.c_int
                    return getter()
        return None
""")


def _probe(body: str, **env_changes) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CNNVIZ_NO_RUNTIME_TUNING", "OPENBLAS_NUM_THREADS", "CNNVIZ_BLAS_THREADS")}
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", _BLAS_THREADS + textwrap.dedent(body)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@ON_LINUX
def test_importing_the_engine_changes_nothing_process_wide():
    seen = _probe("""
        before = {"threads": blas_threads(), "errors": np.geterr(), "env": dict(os.environ)}
        import cnnviz, cnnviz.nn, cnnviz.data, cnnviz.lab, cnnviz.train, cnnviz.explain, cnnviz.io
        import cnnviz.nn.functional, cnnviz.lab.conv, cnnviz.optim, cnnviz.cli, cnnviz.bench
        import cnnviz.lab.experiments, cnnviz.lab.experiments.command
        after = {"threads": blas_threads(), "errors": np.geterr(), "env": dict(os.environ)}
        runtime = sys.modules.get("cnnviz.runtime")
        print(json.dumps({"before": before, "after": after,
                          "tuned": None if runtime is None else runtime._tuned}))
    """)
    if seen["before"]["threads"] is None:
        pytest.skip("this NumPy has no OpenBLAS to read the thread count from")
    assert seen["after"] == seen["before"]
    assert seen["tuned"] is None


@ON_LINUX
def test_tune_sets_numpys_blas_thread_count():
    seen = _probe("""
        before = blas_threads()
        os.environ["CNNVIZ_BLAS_THREADS"] = str(2 if before == 1 else 1)  # a visible change
        import cnnviz.runtime
        done = cnnviz.runtime.tune()
        print(json.dumps({"before": before, "after": blas_threads(), "done": done}))
    """)
    if seen["before"] is None:
        pytest.skip("this NumPy has no OpenBLAS to read the thread count from")
    assert seen["done"]["blas_threads"] is True
    assert seen["after"] == (2 if seen["before"] == 1 else 1) != seen["before"]


@ON_LINUX
def test_an_explicit_openblas_thread_count_is_left_alone():
    seen = _probe("""
        import cnnviz.runtime
        print(json.dumps({"done": cnnviz.runtime.tune(), "threads": blas_threads()}))
    """, OPENBLAS_NUM_THREADS="2")
    assert seen["done"]["blas_threads"] is False
    assert seen["threads"] in (None, 2)


def test_runtime_tuning_can_be_switched_off_by_environment_variable():
    probe = "import cnnviz.nn.model, cnnviz.runtime as r; print(sorted(r.tune().values()))"
    env = dict(os.environ, CNNVIZ_NO_RUNTIME_TUNING="1")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "[False, False]", done.stderr


@ON_LINUX
def test_tune_keeps_large_buffers_in_the_heap_on_linux():
    probe = "import cnnviz.nn.model, cnnviz.runtime as r; print(r.tune()['allocator'])"
    env = {k: v for k, v in os.environ.items() if k != "CNNVIZ_NO_RUNTIME_TUNING"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr
