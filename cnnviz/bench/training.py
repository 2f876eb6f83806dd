"""Training rows: samples/s of cnnviz against PyTorch CPU at 1 and at 2 threads, interleaved.

The verdict of a row is the ratio to the *best* PyTorch configuration (the one with the higher
median): each repeat gives one ratio (cnnviz's figure over that configuration's figure from the
same repeat), and the row shows the median and the minimum of those ratios.
"""

from __future__ import annotations

import statistics

from cnnviz.bench.report import BenchRow
from cnnviz.bench.timing import busy_neighbour, load_average, medians, race
from cnnviz.bench.workloads import (
    WORKLOADS,
    Workload,
    cnnviz_trainer,
    torch_trainer,
    train_flops,
)

__all__ = ["training_rows", "contended_row", "efficiency_row", "TORCH_THREADS"]

TORCH_THREADS = (1, 2)


def _steps_for(run, batch: int, seconds: float, tiny: bool) -> int:
    """Enough steps for one measurement to last about ``seconds``."""
    if tiny:
        return 1
    samples_per_s = max(run(2), run(2))
    return max(2, min(5000, round(seconds * samples_per_s / batch)))


def _contestants(w: Workload, torch, seconds: float, tiny: bool) -> dict:
    """Timed ``() -> samples/s`` callables: cnnviz, and torch at each thread count."""
    x, y = w.data()
    runs = {"cnnviz": cnnviz_trainer(w.build(), x, y, w.batch)}
    if torch is not None:
        for t in TORCH_THREADS:
            runs[f"torch {t}t"] = torch_trainer(torch, w.build(), x, y, w.batch, t)
    steps = {name: _steps_for(run, w.batch, seconds, tiny) for name, run in runs.items()}
    return {name: (lambda run=run, n=steps[name]: run(n)) for name, run in runs.items()}


def _row(w: Workload, figures: dict[str, list[float]], what: str, load,
         target: float | None = None) -> BenchRow:
    med = medians(figures)
    ours = med["cnnviz"]
    torch_names = [n for n in figures if n != "cnnviz"]
    data = {"workload": w.key, "batch": w.batch, "samples_per_s": med, "load_average": load,
            "runs": figures}
    if not torch_names:
        return BenchRow(what, f"{ours:,.0f}/s", "PyTorch not installed", None, None,
                        data=data)
    best = max(torch_names, key=lambda n: med[n])
    ratios = [a / b for a, b in zip(figures["cnnviz"], figures[best], strict=True)]
    reference = ", ".join(f"{n} {med[n]:,.0f}/s" for n in torch_names)
    data.update(best_torch=best, ratios=ratios)
    note = f"stretch target {w.stretch:g}x" if w.stretch else ""
    return BenchRow(what, f"{ours:,.0f}/s", reference, statistics.median(ratios),
                    w.target if target is None else target, ratio_min=min(ratios),
                    note=note, data=data)


def training_rows(torch, quick: bool, repeats: int, tiny: bool, log) -> list[BenchRow]:
    """One row per workload of :data:`WORKLOADS`."""
    rows = []
    seconds = 0.25 if quick else 0.6
    for w in WORKLOADS[:2] if tiny else WORKLOADS:
        load = load_average()
        log(f"training {w.title} (load {load if load is None else round(load, 2)})...")
        contestants = _contestants(w, torch, seconds, tiny)
        figures = race(contestants, repeats)
        rows.append(_row(w, figures, f"training {w.title}: samples/s", load))
    return rows


def contended_row(torch, quick: bool, repeats: int, tiny: bool, log,
                  quiet: BenchRow | None) -> BenchRow:
    """The batch-128 row again with another process spinning on one core.

    OpenMP pools that spin-wait collapse then (the issue measured PyTorch at 2 threads falling to
    about 100 samples/s); work split without spinning only loses the busy core's share.
    """
    w = next(w for w in WORKLOADS if w.key == "net28-b128")
    log("training the batch-128 net with a busy process on one core...")
    with busy_neighbour():
        load = load_average()
        contestants = _contestants(w, torch, 0.2 if quick else 0.4, tiny)
        figures = race(contestants, max(2, repeats - 1))
    row = _row(w, figures, "training 28x28 net, batch 128, one core kept busy: samples/s", load)
    if quiet is not None and quiet.data.get("samples_per_s"):
        quiet_sps = quiet.data["samples_per_s"]
        kept = {n: row.data["samples_per_s"][n] / quiet_sps[n] for n in quiet_sps}
        row.data["kept_of_quiet"] = kept
        row = row.with_note("share of the quiet speed kept: " + ", ".join(
            f"{n} {v:.0%}" for n, v in kept.items()))
    return row


def efficiency_row(row: BenchRow, peak: dict) -> BenchRow:
    """Arithmetic rate of the batch-128 row as a fraction of the measured sgemm peak."""
    w = next(w for w in WORKLOADS if w.key == row.data["workload"])
    flops = train_flops(w.build(), 1)
    rate = flops * row.data["samples_per_s"]["cnnviz"] / 1e9
    fraction = rate / peak["machine_gflops"]
    return BenchRow(
        f"efficiency, {w.title}: fraction of measured sgemm peak",
        f"{rate:.1f} GFLOP/s", f"peak {peak['machine_gflops']:.0f} GFLOP/s "
        f"({peak['cores']} cores; {peak['one_core_gflops']:.0f} on one)", fraction, 0.25,
        unit="%", note=f"{flops / 1e6:.2f} MFLOP per sample (forward + backward)",
        data={"gflops": rate, "flops_per_sample": flops, **peak})
