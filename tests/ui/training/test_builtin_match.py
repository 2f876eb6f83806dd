"""An opened model is paired with the built-in data set of its input shape and class count."""

import pytest

from ui.training.model_files import matching_builtin


@pytest.mark.parametrize(("shape", "classes", "key"), [
    ((1, 8, 8), 2, "lines"), ((1, 8, 8), 10, "digits"), ((1, 28, 28), 5, "shapes"),
    ((1, 28, 28), 10, "mnist"), ((3, 20, 20), 6, "colour-shapes")])
def test_a_model_is_paired_with_the_builtin_set_of_its_shape(shape, classes, key):
    assert matching_builtin(shape, classes) == key


def test_a_model_of_no_builtin_shape_gets_none():
    assert matching_builtin((1, 32, 32), 10) is None
