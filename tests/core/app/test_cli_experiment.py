"""``python -m cnnviz experiment NAME``: a table, a sentence, and with --json the issue's keys on
the last line; bad input is one line on stderr with status 2."""

import json

import numpy as np
import pytest

from cnnviz import cli


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_params_prints_the_textbook_comparison_and_its_json(capsys):
    code, out, _ = run_cli(capsys, "experiment", "params", "--json")
    result = last_json(out)
    assert code == 0 and "628x" in out
    assert (result["dense_params"], result["conv_params"], result["ratio"]) == (100_480, 160,
                                                                                 628.0)


def test_params_takes_the_layer_sizes_from_the_options(capsys):
    _, out, _ = run_cli(capsys, "experiment", "params", "--input", "224x224", "--channels", "3",
                        "--units", "256", "--filters", "64", "--json")
    result = last_json(out)
    assert result["input"] == [3, 224, 224] and result["conv_params"] == 1_792


@pytest.mark.parametrize("name, keys", [
    ("position", {"params", "seen_accuracy", "unseen_accuracy"}),
    ("shift", {"params", "shifts", "accuracy"}),
    ("permute", {"params", "accuracy", "permuted_accuracy"}),
])
def test_training_experiments_end_with_per_model_json(capsys, name, keys):
    code, out, _ = run_cli(capsys, "experiment", name, "--tiny", "--seed", "2", "--json")
    result = last_json(out)
    assert code == 0 and result["seed"] == 2 and result["epochs"] == 1
    assert set(result["models"]) == {"mlp", "cnn", "cnn_global"}
    assert all(keys <= set(m) for m in result["models"].values())
    assert "epoch 1 of 1" in out  # progress was printed as it happened


def test_receptive_field_json_lists_each_conv_layer(capsys):
    _, out, _ = run_cli(capsys, "experiment", "receptive-field", "--tiny", "--json")
    layers = last_json(out)["layers"]
    assert layers and all({"theoretical", "effective_trained", "effective_untrained"} <= set(f)
                          for f in layers)


def test_a_missing_data_file_is_one_line_on_stderr_with_status_2(capsys):
    code, _, err = run_cli(capsys, "experiment", "shift", "--dataset", "/no/such/file.npz")
    assert code == 2 and "neither a built-in data set" in err
    assert len(err.strip().splitlines()) == 1


def test_images_too_small_for_the_cnns_are_explained(capsys, tmp_path):
    path = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (40, 4, 4), dtype=np.uint8),
             y_train=np.arange(40) % 2, x_test=rng.integers(0, 256, (10, 4, 4), dtype=np.uint8),
             y_test=np.arange(10) % 2)
    code, _, err = run_cli(capsys, "experiment", "position", "--dataset", str(path))
    assert code == 2 and "at least 8x8" in err and len(err.strip().splitlines()) == 1


def test_any_grey_data_set_of_a_fitting_size_can_be_used(capsys):
    code, out, _ = run_cli(capsys, "experiment", "position", "--dataset", "shapes", "--tiny",
                           "--json")
    assert code == 0 and last_json(out)["dataset"] == "shapes"


@pytest.mark.parametrize("argv", [["experiment", "dropout"], ["experiment", "shift", "--epochs",
                                                               "0"],
                                  ["experiment", "params", "--input", "big"]])
def test_bad_arguments_are_refused_by_the_parser(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
