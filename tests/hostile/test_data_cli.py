"""Issue 9, CLI side: what ``python -m cnnviz train`` says about odd data and unusable targets.

An empty test set is named as such (not "test accuracy nan%"), one-class data gets a warning,
``--save`` is checked before training, and a 254-character file name saves.
"""

import pytest
from conftest import run_limited

CLI = """
import os, runpy, sys
import numpy as np
from makers import keras_npz, npy_bytes, scratch, write
{make}
sys.argv = ["cnnviz", "train", *{args}]
runpy.run_module("cnnviz", run_name="__main__")
"""


def cli(args, make="", timeout=60):
    return run_limited(CLI.format(make=make, args=args), timeout=timeout)


@pytest.fixture(scope="module")
def empty_test_set():
    return cli('["--dataset", write("e.npz", keras_npz(x_test=npy_bytes(np.zeros((0, 8, 8), '
               'np.uint8)), y_test=npy_bytes(np.zeros(0, np.int64)))), "--epochs", "1"]')


def test_an_empty_test_set_is_named_not_reported_as_nan_percent(empty_test_set):
    out = empty_test_set.stdout
    assert empty_test_set.returncode == 0, empty_test_set.stderr[-1000:]
    assert "no test set" in out and "nan" not in out


def test_one_class_data_is_trained_with_a_warning_that_accuracy_means_nothing():
    run = cli('["--dataset", write("one.npz", keras_npz(y_train=npy_bytes(np.zeros(40, int)), '
              'y_test=npy_bytes(np.zeros(10, int)))), "--epochs", "1"]')
    assert run.returncode == 0, run.stderr[-1000:]
    assert "warning: Only one class" in run.stderr and "accuracy means nothing" in run.stderr


def test_save_into_a_folder_that_refuses_files_fails_before_training():
    run = cli('["--dataset", "lines", "--epochs", "1", "--save", "/proc/model.npz"]')
    assert run.returncode == 2 and "--save" in run.stderr and "Traceback" not in run.stderr
    assert "epoch" not in run.stdout


def test_save_with_a_name_too_long_for_the_file_system_fails_before_training():
    run = cli('["--dataset", "lines", "--epochs", "1", "--save", os.path.join(scratch(), '
              '"m" * 300 + ".npz")]')
    assert run.returncode == 2 and "too long" in run.stderr and "epoch" not in run.stdout


def test_save_with_a_254_character_name_writes_the_model():
    run = cli('["--dataset", "lines", "--epochs", "1", "--save", os.path.join(scratch(), '
              '"m" * 250 + ".npz")]')
    assert run.returncode == 0 and "saved the model to" in run.stdout, run.stderr[-800:]
