"""Rows measured in a fresh subprocess: a training step's peak memory, and start-up to first paint.

A subprocess gives each contestant a clean heap (peak resident memory is a high-water mark) and
makes start-up include everything a user waits for: the interpreter, the imports, the window.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import cnnviz
from cnnviz.bench.report import BenchRow
from cnnviz.bench.timing import medians, race

__all__ = ["memory_row", "startup_row"]

ROOT = Path(cnnviz.__file__).resolve().parent.parent
_MB = 1024 * 1024

_MEMORY_PROBE = textwrap.dedent("""
    import json, sys
    side, engine = int(sys.argv[1]), sys.argv[2]
    from cnnviz.runtime import tune
    tune()
    if engine == "cnnviz":  # compiled kernels loaded before the baseline, as torch's libraries are
        from cnnviz.nn import kernels
        kernels.warm_up(background=False)
    from cnnviz.bench.workloads import NET28, Workload, cnnviz_trainer, torch_trainer
    w = Workload("memory", "", tuple(NET28), (1, side, side), 10, 32)
    model = w.build()
    x, y = w.data(w.batch + 1)
    if engine == "torch":
        import torch
        run = torch_trainer(torch, model, x, y, w.batch, torch.get_num_threads())
    else:
        run = cnnviz_trainer(model, x, y, w.batch)

    def status(key):  # kB; VmHWM is this process's own peak (ru_maxrss keeps the parent's)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))

    before = status("VmRSS:")
    run(1)  # two steps: the first may allocate what later steps reuse
    print(json.dumps({"before": before, "peak": status("VmHWM:")}))
""")


def _env(**extra) -> dict:
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return env


def _memory(side: int, engine: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(side), engine],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    return {"peak_mb": seen["peak"] / _MB, "step_mb": (seen["peak"] - seen["before"]) / _MB}


def memory_row(torch, log, side: int = 224) -> BenchRow | None:
    """Peak memory of two training steps of the 28x28 net on 224x224 images at batch 32.

    The verdict compares what the step itself adds to the process (peak resident memory minus the
    resident memory just before it), so the size of each library's own import does not count;
    the whole peak is shown too.
    """
    if not sys.platform.startswith("linux"):
        return None
    log(f"peak memory of a training step on {side}x{side} images (subprocesses)...")
    ours = _memory(side, "cnnviz")
    what = f"memory, one step of the 28x28 net on {side}x{side} images, batch 32"
    text = f"{ours['step_mb']:.0f} MB step ({ours['peak_mb']:.0f} MB peak)"
    if torch is None:
        return BenchRow(what, text, "PyTorch not installed", None, None, data={"cnnviz": ours})
    theirs = _memory(side, "torch")
    return BenchRow(what, text, f"{theirs['step_mb']:.0f} MB step ({theirs['peak_mb']:.0f} MB "
                    "peak)", theirs["step_mb"] / ours["step_mb"], 1.0,
                    note="ratio = PyTorch's step memory / cnnviz's (peak RSS minus RSS before)",
                    data={"cnnviz": ours, "torch": theirs})


def _first_paint() -> float:
    """Seconds from launching ``main.py`` until it reports its main window's first paint."""
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--report-first-paint"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             cwd=ROOT, env=_env(QT_QPA_PLATFORM="offscreen",
                                                CNNVIZ_SETTINGS_SCOPE="cnnviz-bench"))
    try:
        for line in child.stdout:  # the first paint, not the exit, ends the wait
            if line.startswith("first-paint"):
                return time.perf_counter() - t0
        raise RuntimeError("the app exited without painting its window")
    finally:
        child.stdout.close()
        child.wait(timeout=120)


def startup_row(repeats: int, log, budget: float = 1.5) -> BenchRow | None:
    """Start-up to the first paint of the main window, offscreen, on a warm machine."""
    if not (ROOT / "main.py").exists():
        return None
    if importlib.util.find_spec("PySide6") is None:  # the engine itself never imports Qt
        return None
    log("start-up to first paint (subprocesses, offscreen)...")
    _first_paint()  # warm the file cache: the target is for a warm machine
    times = race({"app": _first_paint}, repeats)["app"]
    best, med = min(times), medians({"app": times})["app"]
    return BenchRow("start-up: launch to first paint of the main window (offscreen)",
                    f"{best:.2f} s (median {med:.2f} s)", f"budget {budget:g} s", budget / best,
                    1.0, note="ratio = budget / fastest launch", data={"seconds": times})
