"""The "Why CNNs" experiments on tiny settings: what each one measures, and the shared rules
(same images in the same order, progress then one result, JSON in the CLI's shape)."""

import json

import numpy as np
import pytest

from cnnviz.data import from_arrays, load_dataset
from cnnviz.lab import experiments
from cnnviz.lab.experiments import images, params, position, receptive_field
from cnnviz.lab.experiments.common import Settings, build, format_table
from cnnviz.lab.experiments.training import Run, train_side_by_side
from cnnviz.nn import Conv2D, Sequential

TINY = Settings(epochs=1, train_images=60, test_images=30)


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist")


def run_to_end(name, dataset, settings=TINY, **options):
    items = list(experiments.run(name, dataset, settings, **options))
    assert items[-1].finished and not any(item.finished for item in items[:-1])
    return items


_TINY_RUNS = {}


def tiny_run(name, dataset):
    """Every item of experiment ``name`` at the tiny settings (run once per test session)."""
    if name not in _TINY_RUNS:
        _TINY_RUNS[name] = run_to_end(name, dataset)
    return _TINY_RUNS[name]


def result_of(name, dataset, settings=None, **options):
    if settings is None and not options:
        return tiny_run(name, dataset)[-1]
    return run_to_end(name, dataset, settings or TINY, **options)[-1]


# ----- shared rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", experiments.NAMES)
def test_each_experiment_yields_progress_then_one_result_whose_json_round_trips(name, mnist):
    items = tiny_run(name, mnist)
    fractions = [item.fraction for item in items[:-1]]
    assert fractions == sorted(fractions) and all(0.0 <= f <= 1.0 for f in fractions)
    out = items[-1].to_json()
    assert out["experiment"] == name and json.loads(json.dumps(out)) == out


@pytest.mark.parametrize("name", ["position", "shift", "permute"])
def test_each_training_experiment_reports_every_model_with_its_parameters(name, mnist):
    models = result_of(name, mnist).to_json()["models"]
    assert list(models) == ["mlp", "cnn", "cnn_global"]
    assert all(isinstance(m["params"], int) and m["params"] > 0 for m in models.values())


def test_the_same_seed_gives_the_same_numbers(mnist):
    a, b = result_of("position", mnist).to_json(), run_to_end("position", mnist)[-1].to_json()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_models_trained_side_by_side_see_the_same_batches_in_the_same_order(mnist):
    data = images.subset(mnist, 64, 20, 0)
    runs = [Run("cnn", build("cnn", data.input_shape, 10, seed=3), data,
                {"t": (data.x_test, data.y_test)}) for _ in range(2)]
    for _ in train_side_by_side("x", runs, 2, Settings(batch_size=16), "twins"):
        pass
    for p, q in zip(runs[0].model.parameters(), runs[1].model.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_live_curves_start_untrained_and_end_on_the_whole_test_set(mnist):
    result = result_of("shift", mnist, Settings(epochs=2, train_images=40, test_images=20,
                                                evals_per_epoch=2))
    curve = result.curves["mlp:centred"]
    assert curve.epochs[0] == 0.0 and curve.epochs[-1] == 2.0
    assert curve.accuracy[-1] == result.models["mlp"]["accuracy"][0]


def test_quick_mode_uses_fewer_epochs_and_images_than_the_default():
    d = position.DEFAULTS
    assert d.resolve(Settings(quick=True)) < d.resolve(Settings())[:1] + (10**9, 10**9)
    assert d.resolve(Settings(quick=True))[1] < 4000 and d.resolve(Settings())[1] is None


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"seed": -1}, {"lr": float("nan")},
                                    {"train_images": 3}, {"batch_size": True}])
def test_bad_settings_are_refused_with_a_sentence(kwargs):
    with pytest.raises(ValueError, match="must be"):
        Settings(**kwargs)


def test_an_unknown_experiment_lists_the_names():
    with pytest.raises(ValueError, match="receptive-field"):
        experiments.run("dropout")


def test_colour_or_tiny_images_are_explained():
    rng = np.random.default_rng(0)
    tiny = from_arrays(rng.random((20, 4, 4)), np.arange(20) % 2)
    with pytest.raises(ValueError, match="at least 8x8"):
        experiments.run("shift", tiny)


def test_the_result_table_formats_accuracies_as_percentages(mnist):
    text = format_table(*result_of("permute", mnist).table())
    assert text.splitlines()[0].split()[:2] == ["model", "parameters"] and "%" in text


# ----- params ------------------------------------------------------------------------------------
def test_params_reproduces_the_textbook_figures():
    out = result_of("params", None).to_json()
    assert (out["dense_params"], out["conv_params"], round(out["ratio"])) == (100_480, 160, 628)
    big = out["examples"][1]
    assert big["input"] == [3, 224, 224] and big["dense_params"] == 224 * 224 * 3 * 256 + 256
    assert big["conv_params"] == 64 * (3 * 3 * 3 + 1) == 1_792


def test_params_takes_any_layer_sizes_and_conv_cost_ignores_the_image_size():
    out = result_of("params", None, layers=params.Layers(64, 32, 3, 10, 8, 5)).to_json()
    assert out["dense_params"] == 64 * 32 * 3 * 10 + 10 and out["conv_params"] == 8 * 76
    assert len(set(out["by_input_side"]["conv"])) == 1
    assert out["by_input_side"]["dense"] == sorted(out["by_input_side"]["dense"])


def test_params_refuses_a_layer_of_no_units():
    with pytest.raises(ValueError, match="units"):
        params.Layers(units=0)


# ----- position ----------------------------------------------------------------------------------
def test_position_canvas_for_mnist_is_28x48_with_seen_and_unseen_offsets():
    g = position.geometry((28, 28))
    assert (g.canvas, g.seen, g.unseen) == ((28, 48), (0, 4), (16, 20))


def test_training_digits_sit_on_the_left_and_unseen_test_digits_on_the_right(mnist):
    data = images.subset(mnist, 100, 50, 0)
    x_train, x_seen, x_unseen = position.canvases(data, position.geometry((28, 28)), seed=0)
    assert x_train.shape == (len(data.x_train), 1, 28, 48)
    assert not x_train[..., 32:].any() and not x_seen[..., 32:].any()
    assert not x_unseen[..., :16].any()
    # the same test digits, only moved
    np.testing.assert_allclose(x_seen.sum(axis=(1, 2, 3)), x_unseen.sum(axis=(1, 2, 3)),
                               rtol=1e-5)


def test_position_json_has_seen_and_unseen_accuracy_per_model(mnist):
    out = result_of("position", mnist).to_json()
    for m in out["models"].values():
        assert 0.0 <= m["seen_accuracy"] <= 1.0 and 0.0 <= m["unseen_accuracy"] <= 1.0
    assert out["canvas"] == [28, 48]


def test_a_global_pool_cnn_gives_the_same_output_wherever_the_digit_is_pasted(mnist):
    # away from the borders, moving a digit by 16 px (a multiple of the pooling stride 4) moves
    # every feature map exactly, and the global pool ignores where the features are
    data = images.subset(mnist, 10, 40, 0)
    n = len(data.x_test)
    left = images.paste(data.x_test, 64, np.full(n, 8))
    right = images.paste(data.x_test, 64, np.full(n, 24))
    model = build("cnn_global", (1, 28, 64), 10, seed=1)
    np.testing.assert_allclose(model.forward(left), model.forward(right), rtol=1e-5, atol=1e-5)


# ----- shift -------------------------------------------------------------------------------------
def test_shift_json_has_equal_length_shift_and_accuracy_lists_per_model(mnist):
    for m in result_of("shift", mnist).to_json()["models"].values():
        assert m["shifts"] == list(range(9)) and len(m["accuracy"]) == 9


def test_shift_batch_moves_right_and_fills_with_background():
    x = np.arange(1, 13, dtype=np.float32).reshape(1, 1, 3, 4)
    moved = images.shift_batch(x, 1)
    np.testing.assert_array_equal(moved[0, 0], [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11]])
    assert not images.shift_batch(x, 4).any()


# ----- permute -----------------------------------------------------------------------------------
def test_permuted_images_hold_the_same_pixels_in_another_order():
    x = np.random.default_rng(0).random((3, 1, 5, 5)).astype(np.float32)
    order = images.pixel_permutation((5, 5), seed=2)
    p = images.permute_pixels(x, order)
    assert not np.array_equal(p, x)
    np.testing.assert_array_equal(np.sort(p.reshape(3, -1)), np.sort(x.reshape(3, -1)))
    np.testing.assert_array_equal(p.reshape(3, -1)[:, np.argsort(order)], x.reshape(3, -1))


def test_an_mlp_is_blind_to_a_pixel_permutation_if_its_weights_follow_it():
    # why the MLP does not care: permuting the pixels = permuting its first weight columns
    mlp = build("mlp", (1, 6, 6), 10, seed=0)
    order = images.pixel_permutation((6, 6), seed=1)
    twin = build("mlp", (1, 6, 6), 10, seed=0)
    twin.layers[1].weight.data[...] = mlp.layers[1].weight.data[:, order]
    x = np.random.default_rng(2).random((4, 1, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(twin.forward(images.permute_pixels(x, order)), mlp.forward(x),
                               rtol=1e-5)


def test_permute_json_has_plain_and_permuted_accuracy_per_model(mnist):
    for m in result_of("permute", mnist).to_json()["models"].values():
        assert {"accuracy", "permuted_accuracy"} <= set(m)


def test_a_bad_permutation_is_refused():
    with pytest.raises(ValueError, match="permutation"):
        images.permute_pixels(np.zeros((1, 1, 2, 2)), np.array([0, 0, 1, 2]))


# ----- receptive field ---------------------------------------------------------------------------
def test_the_gradient_of_a_first_layer_unit_is_its_kernel_and_nothing_outside():
    conv = Conv2D(1, 1, 3, padding=1)
    conv.weight.data[...] = np.arange(-4, 5, dtype=np.float32).reshape(1, 1, 3, 3)
    model = Sequential([conv], seed=None)
    grad = receptive_field.gradient_map(model, 0, np.zeros((2, 1, 7, 7), np.float32))
    np.testing.assert_allclose(grad[2:5, 2:5], np.abs(np.arange(-4, 5)).reshape(3, 3))
    assert grad.sum() == np.abs(np.arange(-4, 5)).sum()


def test_the_mass_box_of_a_centred_blob_is_smaller_than_its_support():
    yy, xx = np.mgrid[:21, :21]
    blob = np.exp(-((yy - 10) ** 2 + (xx - 10) ** 2) / (2 * 2.0 ** 2))
    side = receptive_field.mass_box_side(blob, (10.0, 10.0), theoretical=21)
    assert side % 2 == 1 and 7 <= side <= 11
    assert receptive_field.mass_box_side(np.zeros((5, 5)), (2.0, 2.0), 5) == 0


def test_receptive_field_json_has_theoretical_and_effective_fields_per_conv_layer(mnist):
    out = result_of("receptive-field", mnist).to_json()
    fields = [(f["theoretical"], f["effective_trained"], f["effective_untrained"])
              for f in out["layers"]]
    assert [f[0] for f in fields] == [3, 5, 10, 14, 18, 28]       # from nn.summary
    assert all(0 < eff <= theo for theo, *effs in fields for eff in effs)
