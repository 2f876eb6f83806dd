"""``python -m cnnviz bench``: the table, its JSON form, and how the figures are measured."""

import json
import re

import numpy as np
import pytest

from cnnviz import bench, cli
from cnnviz.bench import probes, timing, training, workloads
from cnnviz.bench.report import BenchRow


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def tiny_table():
    meta = {}
    rows = bench.run(tiny=True, repeats=1, meta=meta)
    return rows, meta


def test_the_smoke_run_has_training_efficiency_and_playground_rows(tiny_table):
    rows, _ = tiny_table
    whats = [r.what for r in rows]
    assert any(w.startswith("training classic 8x8 net, batch 1") for w in whats)
    assert any(w.startswith("efficiency") for w in whats)
    assert any("vectorised vs loops" in w for w in whats)
    assert any(w.startswith("load: downscale") for w in whats)


def test_training_rows_compare_with_the_better_torch_configuration(tiny_table):
    rows, _ = tiny_table
    row = next(r for r in rows if r.what.startswith("training 28x28"))
    if not _has_torch():
        assert row.ratio is None and "not installed" in row.reference
        return
    med = row.data["samples_per_s"]
    best = max(("torch 1t", "torch 2t"), key=med.get)
    assert row.data["best_torch"] == best
    assert row.ratio == pytest.approx(med["cnnviz"] / med[best])
    assert row.ratio_min <= row.ratio


def test_the_machine_facts_name_the_kernels_and_the_sgemm_peak(tiny_table):
    _, meta = tiny_table
    assert meta["sgemm"]["machine_gflops"] >= meta["sgemm"]["one_core_gflops"] > 0
    assert meta["kernels"].startswith(("numba", "numpy"))


def test_the_text_table_ends_every_row_with_its_verdict(tiny_table):
    rows, _ = tiny_table
    lines = bench.format_rows(rows).splitlines()
    verdicts = [line for line in lines if re.search(r"(PASS|FAIL|info)$", line)]
    assert len(verdicts) == len(rows)


def test_json_output_is_one_object_with_every_row(capsys):
    code = cli.main(["bench", "--tiny", "--repeats", "1", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    table = json.loads(out)  # progress lines went to stderr
    assert {"meta", "rows"} <= set(table) and len(table["rows"]) >= 5
    assert all({"what", "ratio_median", "ratio_min", "target", "result"} <= set(r)
               for r in table["rows"])


def test_rows_pass_only_when_the_ratio_meets_the_target():
    assert BenchRow("a", "1", "1", 2.5, 2.0).passed
    assert not BenchRow("a", "1", "1", 1.5, 2.0).passed
    assert BenchRow("a", "1", "1", 1.5, None).result == "info"
    assert BenchRow("a", "1", "1", None, 1.0).passed is None


def test_the_race_interleaves_the_contestants():
    calls = []
    figures = {"a": iter([5.0, 1.0, 3.0]), "b": iter([10.0, 30.0, 20.0])}

    def contestant(name):
        def run():
            calls.append(name)
            return next(figures[name])
        return run

    runs = timing.race({"a": contestant("a"), "b": contestant("b")}, repeats=3)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert timing.medians(runs) == {"a": 3.0, "b": 20.0}


def test_a_busy_machine_is_warned_about():
    assert "warning" in timing.busy_warning(3.0)
    assert timing.busy_warning(0.2) == ""
    assert timing.busy_warning(None) == ""


def test_a_busy_neighbour_runs_only_inside_its_block():
    import os

    with timing.busy_neighbour() as pid:
        os.kill(pid, 0)  # alive
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_training_flops_count_forward_and_both_gradients():
    w = workloads.Workload("t", "", tuple(workloads.CLASSIC), (1, 8, 8), 2, 1)
    model = w.build()
    conv = 2 * 4 * 9 * 36        # 4 filters of 3x3 on 6x6 outputs: forward and weight gradient
    dense = 2 * 36 * 2           # forward, weight and input gradient
    assert workloads.train_flops(model) == 2 * conv + 3 * dense


@pytest.mark.skipif(not _has_torch(), reason="PyTorch not installed")
def test_the_torch_twin_computes_the_same_logits():
    import torch

    w = training.WORKLOADS[1]
    model = w.build()
    x, _ = w.data(4)
    with torch.no_grad():
        theirs = workloads.torch_net(torch, model)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.forward(x), theirs, rtol=1e-4, atol=1e-4)


def test_a_training_step_memory_probe_reports_its_peak():
    seen = probes._memory(28, "cnnviz")
    assert seen["peak_mb"] > seen["step_mb"] > 0


@pytest.mark.slow
def test_start_up_is_timed_to_the_main_windows_first_paint():
    assert 0 < probes._first_paint() < 120


def test_the_bench_reads_the_bundled_camera_photo_without_qt():
    from cnnviz.data.bundled import asset_path

    img = bench.read_png_grey(asset_path("camera.png"))
    assert img.shape == (512, 512) and img.dtype == np.float32
    assert 0.0 <= img.min() < 0.1 and 0.9 < img.max() <= 1.0


def test_the_png_reader_refuses_other_files(tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="not a PNG"):
        bench.read_png_grey(fake)
