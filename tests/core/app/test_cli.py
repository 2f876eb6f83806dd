"""The command line: train / summary / bench, and one-line errors with exit status 2."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnviz import cli

ROOT = Path(__file__).resolve().parents[3]


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_python_dash_m_cnnviz_help_lists_the_commands():
    done = subprocess.run([sys.executable, "-m", "cnnviz", "--help"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0
    for command in ("train", "summary", "bench"):
        assert command in done.stdout


def test_train_help_explains_the_options(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    for option in ("--dataset", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed",
                   "--arch", "--save", "--json"):
        assert option in out


def test_train_prints_one_line_per_epoch_and_ends_with_json(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "3", "--json")
    lines = out.strip().splitlines()
    assert code == 0
    assert sum(line.startswith("epoch ") for line in lines) == 3
    result = json.loads(lines[-1])
    for key in ("test_accuracy", "train_loss", "seconds", "samples_per_second"):
        assert isinstance(result[key], float)
    assert 0.5 < result["test_accuracy"] <= 1.0


def test_train_honours_the_given_hyperparameters(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1",
                           "--batch-size", "40", "--lr", "0.02", "--optimizer", "momentum",
                           "--arch", "tinyvgg", "--json")
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert (result["batch_size"], result["lr"], result["optimizer"], result["steps"]) == \
        (40, 0.02, "momentum", 20)
    assert result["architecture"] == "TinyVGG-like"


def test_train_save_writes_a_model_that_loads(capsys, tmp_path):
    from cnnviz.io import load_model

    target = tmp_path / "lines.npz"
    code, _, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1", "--save",
                         str(target))
    model = load_model(target)
    assert code == 0 and model.metadata["class_names"] == ["vertical", "horizontal"]
    assert model.forward(np.zeros((1, 1, 8, 8), np.float32)).shape == (1, 2)


def test_train_on_an_mnist_npz_file(capsys, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
             y_train=np.arange(60) % 10, x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
             y_test=np.arange(20) % 10)
    code, out, _ = run_cli(capsys, "train", "--dataset", str(path), "--epochs", "1", "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["steps"] == 1


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--dataset", "/no/such/file.npz"], "neither a built-in data set"),
    (["summary", "--dataset", "/no/such/folder"], "neither a built-in data set"),
])
def test_a_bad_path_is_one_line_on_stderr_with_status_2(capsys, argv, fragment):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_malformed_file_is_one_line_on_stderr_with_status_2(capsys, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _, err = run_cli(capsys, "train", "--dataset", str(bad))
    assert code == 2 and "broken.npz" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["train", "--epochs", "0"], ["train", "--lr", "fast"],
                                  ["train", "--lr", "-1"], ["train", "--batch-size", "2.5"],
                                  ["train", "--optimizer", "rmsprop"]])
def test_bad_numbers_and_choices_exit_with_status_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err and "error:" in err


def test_a_diverging_run_says_so_and_suggests_a_lower_learning_rate(capsys):
    code, out, err = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "2",
                             "--optimizer", "sgd", "--lr", "1e6", "--json")
    assert code == 1 and "lower learning rate" in err
    assert json.loads(out.strip().splitlines()[-1])["diverged"] is True


def test_summary_prints_the_per_layer_table(capsys):
    code, out, _ = run_cli(capsys, "summary", "--dataset", "lines")
    assert code == 0
    assert "Conv 4@3x3" in out and "dense equiv." in out and "RF" in out and "FLOPs" in out
    assert re.search(r"total\s+114\b", out)      # 4*(9+1) + 36*2+2 parameters


def test_summary_of_a_preset_on_digits(capsys):
    code, out, _ = run_cli(capsys, "summary", "--dataset", "digits", "--arch", "lenet")
    assert code == 0 and "Dense 120" in out and "1x8x8" in out


def test_summary_of_a_saved_model(capsys, tmp_path):
    target = tmp_path / "m.npz"
    run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1", "--save", str(target))
    code, out, _ = run_cli(capsys, "summary", "--model", str(target))
    assert code == 0 and "Conv 4@3x3" in out


def test_the_documented_lines_run_reaches_97_percent(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "15", "--seed", "0",
                           "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["test_accuracy"] >= 0.97


def test_the_documented_digits_run_reaches_95_percent(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "digits", "--epochs", "10", "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["test_accuracy"] >= 0.95


def test_an_unusable_save_path_is_refused_before_training(capsys, tmp_path):
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--save",
                             str(tmp_path / "missing" / "m.npz"))
    assert code == 2 and "does not exist" in err and "epoch" not in out


def _npz(path, y_train=None, n_test=10):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 255, (40, 8, 8), dtype=np.uint8),
             y_train=np.arange(40) % 2 if y_train is None else y_train,
             x_test=rng.integers(0, 255, (n_test, 8, 8), dtype=np.uint8),
             y_test=np.arange(n_test) % 2 if y_train is None else np.zeros(n_test, int))
    return str(path)


def test_an_empty_test_set_is_reported_as_none_not_nan_percent(capsys, tmp_path):
    code, out, err = run_cli(capsys, "train", "--dataset", _npz(tmp_path / "e.npz", n_test=0),
                             "--epochs", "1", "--json")
    assert code == 0 and "no test set (all 40 images were used for training)" in out
    assert "nan" not in out.replace('"test_accuracy": null', "")
    assert json.loads(out.strip().splitlines()[-1])["test_accuracy"] is None


def test_one_class_data_trains_with_a_warning(capsys, tmp_path):
    code, _out, err = run_cli(capsys, "train", "--dataset",
                              _npz(tmp_path / "one.npz", y_train=np.zeros(40, int)),
                              "--epochs", "1")
    assert code == 0 and "warning: Only one class ('0')" in err


def test_save_with_a_name_too_long_is_refused_before_training(capsys, tmp_path):
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--save",
                             str(tmp_path / ("m" * 300 + ".npz")))
    assert code == 2 and "too long" in err and "epoch" not in out
