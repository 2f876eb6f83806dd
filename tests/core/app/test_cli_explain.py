"""``python -m cnnviz explain``: PNGs, arrays and a JSON summary per method; errors in one line."""

import json

import numpy as np
import pytest

from cnnviz import cli
from cnnviz.io import save_model
from cnnviz.nn import architecture as arch


@pytest.fixture(scope="module")
def lines_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "lines.npz"
    assert cli.main(["train", "--dataset", "lines", "--epochs", "3", "--save", str(path)]) == 0
    return path


def explain(capsys, model, method, out, *extra):
    code = cli.main(["explain", str(model), "--method", method, "--sample", "2", "--out",
                     str(out), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("method, pictures", [
    ("occlusion", ["input.png", "occlusion.png"]),
    ("ig", ["input.png", "ig.png"]),
    ("gradcam-all", ["input.png", "gradcam_layer1.png", "gradcam_all.png"]),
    ("featurevis", ["input.png", "featurevis_layer1.png"]),
    ("fgsm", ["input.png", "fgsm.png"]),
])
def test_each_method_writes_its_pictures_and_a_summary(capsys, lines_model, tmp_path, method,
                                                       pictures):
    code, out, _ = explain(capsys, lines_model, method, tmp_path / "out", "--steps", "32")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert code == 0 and f"{method} of test sample 2" in out
    assert summary["method"] == method and summary["sample"] == 2
    assert summary["true_class"] in ("vertical", "horizontal")
    for name in pictures:
        assert name in summary["files"]
        width, height = read_png_size(tmp_path / "out" / name)
        assert width >= 100 and height >= 100                # 8x8 images are enlarged
    assert all((tmp_path / "out" / name).is_file() for name in summary["files"])


def test_ig_reports_completeness_within_one_percent_at_256_steps(capsys, lines_model, tmp_path):
    code, _, _ = explain(capsys, lines_model, "ig", tmp_path, "--baseline", "blurred")
    s = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0 and s["steps"] == 256 and s["baseline"] == "blurred"
    assert abs(s["sum_attributions"] - s["score_difference"]) <= 0.01 * abs(s["score_difference"])
    assert s["completeness_error"] < 0.01
    attributions = np.load(tmp_path / "ig.npy")
    assert attributions.shape == (1, 8, 8)
    assert attributions.sum() == pytest.approx(s["sum_attributions"], rel=1e-4)


def test_fgsm_reports_epsilon_the_max_perturbation_and_the_flip(capsys, lines_model, tmp_path):
    code, _, _ = explain(capsys, lines_model, "fgsm", tmp_path, "--epsilon", "0.05")
    s = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0 and s["epsilon"] == 0.05
    assert s["max_abs_perturbation"] == pytest.approx(0.05, rel=1e-5)
    assert isinstance(s["flipped"], bool)
    smallest = s["smallest_flipping_epsilon"]
    assert smallest is None or (s["flipped"] == (smallest <= 0.05) or smallest > 0)


def test_gradcam_all_takes_the_hirescam_variant(capsys, lines_model, tmp_path):
    code, _, _ = explain(capsys, lines_model, "gradcam-all", tmp_path, "--cam", "hirescam")
    s = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0 and s["variant"] == "hirescam"
    assert [layer["map_shape"] for layer in s["layers"]] == [[6, 6]]


def test_featurevis_reports_each_filters_rise_over_the_test_set(capsys, lines_model, tmp_path):
    code, _, _ = explain(capsys, lines_model, "featurevis", tmp_path, "--steps", "64")
    s = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0 and len(s["activation"]) == 4 == len(s["ratio_to_test_mean"])
    assert np.load(tmp_path / "featurevis_layer1.npy").shape == (4, 1, 8, 8)


@pytest.mark.parametrize("extra, message", [
    (["--sample", "5000"], "--sample 5000 is out of range"),
    (["--class", "7"], "--class 7 is out of range"),
    (["--layer", "3"], "--layer 3: the model has 1 conv layer"),
    (["--patch", "20"], "20-pixel patch does not fit"),
])
def test_bad_numbers_are_one_line_errors(capsys, lines_model, tmp_path, extra, message):
    method = "featurevis" if "--layer" in extra else "occlusion"
    code = cli.main(["explain", str(lines_model), "--method", method, "--out", str(tmp_path),
                     *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_model_and_an_out_file_are_one_line_errors(capsys, lines_model, tmp_path):
    code, _, err = explain(capsys, tmp_path / "nope.npz", "ig", tmp_path)
    assert code == 2 and "nope.npz does not exist" in err
    (tmp_path / "file").write_text("x")
    code, _, err = explain(capsys, lines_model, "ig", tmp_path / "file")
    assert code == 2 and "is a file, not a folder" in err


def test_a_model_without_its_data_set_asks_for_one(capsys, tmp_path):
    model = arch.build_model(arch.preset("classic", 2), (1, 8, 8), 2)
    save_model(model, tmp_path / "m.npz", metadata={"dataset": "gone", "input_shape": [1, 8, 8]})
    code, _, err = explain(capsys, tmp_path / "m.npz", "ig", tmp_path / "out")
    assert code == 2 and "pass --dataset" in err
    code, _, _ = explain(capsys, tmp_path / "m.npz", "ig", tmp_path / "out", "--dataset", "lines")
    assert code == 0


def test_grad_cam_of_a_network_without_convolutions_is_explained(capsys, tmp_path):
    mlp = arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 2}],
                           (1, 8, 8), 2)
    save_model(mlp, tmp_path / "mlp.npz", metadata={"dataset": "lines", "input_shape": [1, 8, 8]})
    code, _, err = explain(capsys, tmp_path / "mlp.npz", "gradcam-all", tmp_path / "out")
    assert code == 2 and "no convolutional layer" in err
    code, _, _ = explain(capsys, tmp_path / "mlp.npz", "ig", tmp_path / "out")
    assert code == 0
