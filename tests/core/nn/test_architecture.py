"""Architecture specs: presets, shape inference with messages naming the layer, model building."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.nn import architecture as arch

CLASSIC = [
    {"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 0},
    {"type": "relu"},
    {"type": "maxpool", "kernel_size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 2},
]


def test_every_layer_type_has_a_default_that_infers_a_shape():
    for t in arch.LAYER_TYPES:
        layer = arch.default_layer(t)
        assert layer["type"] == t
    spec = [arch.default_layer(t) for t in ("conv", "relu", "maxpool", "avgpool", "flatten",
                                            "dense")]
    assert arch.infer_shapes(spec, (1, 16, 16))[-1] == (10,)


def test_default_layer_returns_an_independent_copy():
    a = arch.default_layer("conv")
    a["out_channels"] = 99
    assert arch.default_layer("conv")["out_channels"] != 99


def test_infer_shapes_follows_conv_pool_flatten_dense():
    assert arch.infer_shapes(CLASSIC, (1, 8, 8)) == [(4, 6, 6), (4, 6, 6), (4, 3, 3), (36,), (2,)]


def test_infer_shapes_handles_stride_padding_and_dilation():
    spec = [{"type": "conv", "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 2,
             "dilation": 2}]
    # floor((28 + 4 - 2*2 - 1) / 2) + 1 = 14
    assert arch.infer_shapes(spec, (1, 28, 28)) == [(3, 14, 14)]


def test_pool_stride_defaults_to_its_window():
    assert arch.infer_shapes([{"type": "avgpool", "kernel_size": 4}], (2, 8, 8)) == [(2, 2, 2)]


def test_a_too_large_pool_is_explained_naming_the_layer():
    spec = [*CLASSIC[:2], {"type": "maxpool", "kernel_size": 8}, *CLASSIC[3:]]
    with pytest.raises(ValueError, match=r"^layer 3 \(MaxPool 8\): .*6"):
        arch.infer_shapes(spec, (1, 8, 8))


def test_dense_without_flatten_asks_for_a_flatten_layer():
    with pytest.raises(ValueError, match=r"layer 4 \(Dense 2\).*Flatten"):
        arch.infer_shapes([*CLASSIC[:3], CLASSIC[4]], (1, 8, 8))


def test_conv_after_flatten_is_explained():
    with pytest.raises(ValueError, match=r"layer 2 \(Conv .*flat vector of 64"):
        arch.infer_shapes([{"type": "flatten"}, arch.default_layer("conv")], (1, 8, 8))


def test_unknown_types_and_bad_numbers_are_refused_with_the_layer_number():
    with pytest.raises(ValueError, match="layer 2: unknown layer type 'softmax'"):
        arch.infer_shapes([{"type": "relu"}, {"type": "softmax"}], (1, 8, 8))
    with pytest.raises(ValueError, match="layer 1 .*stride must be a whole number >= 1"):
        arch.infer_shapes([{"type": "conv", "out_channels": 2, "stride": 0}], (1, 8, 8))


def test_an_empty_network_is_explained():
    with pytest.raises(ValueError, match="no layers"):
        arch.infer_shapes([], (1, 8, 8))


# The CNN Explainer's TinyVGG has no padding: it is made for 64x64 images and needs 16x16 at least.
UNPADDED = ("TinyVGG (CNN Explainer)",)


@pytest.mark.parametrize("name", list(arch.PRESETS))
@pytest.mark.parametrize("input_shape", [(1, 8, 8), (1, 28, 28), (3, 64, 64)])
def test_presets_are_valid_on_small_and_mnist_sized_inputs(name, input_shape):
    if name in UNPADDED and input_shape[1] < 16:
        pytest.skip("an unpadded network shrinks 8x8 maps to nothing (see the next test)")
    assert arch.infer_shapes(arch.preset(name, 7), input_shape)[-1] == (7,)


def test_the_unpadded_tinyvgg_on_tiny_images_says_which_layer_runs_out_of_pixels():
    with pytest.raises(ValueError, match=r"layer \d+ \(Conv 10@3x3\)"):
        arch.infer_shapes(arch.preset("tinyvgg-explainer", 10), (1, 8, 8))


def test_preset_returns_a_copy_sized_to_the_classes():
    spec = arch.preset("classic", 3)
    spec[0]["out_channels"] = 50
    assert arch.preset("Classic small net", 3)[0]["out_channels"] == 4
    assert spec[-1] == {"type": "dense", "out_features": 3}


def test_unknown_preset_lists_the_choices():
    with pytest.raises(ValueError, match="LeNet-like"):
        arch.preset("resnet152", 10)


def test_default_architecture_for_lines_is_the_classic_small_net():
    assert arch.default_architecture("lines", (1, 8, 8), 2) == arch.preset("classic", 2)


@pytest.mark.parametrize("name,shape", [("digits", (1, 8, 8)), ("shapes", (1, 28, 28)),
                                        ("mnist", (1, 28, 28)), ("tiny", (1, 3, 3)),
                                        ("lines", (1, 3, 3)),
                                        ("wide", (1, 4, 40))])
def test_default_architectures_are_valid_for_their_data(name, shape):
    assert arch.infer_shapes(arch.default_architecture(name, shape, 10), shape)[-1] == (10,)


def test_layer_names_are_short_and_readable():
    assert arch.layer_name({"type": "conv", "out_channels": 8, "kernel_size": 3,
                            "padding": 1}) == "Conv 8@3x3 p1"
    assert arch.layer_name({"type": "maxpool", "kernel_size": 2, "stride": 2}) == "MaxPool 2"
    assert arch.layer_name({"type": "dense", "out_features": 10}) == "Dense 10"


def test_build_model_produces_logits_of_the_inferred_shape():
    model = arch.build_model(CLASSIC, (1, 8, 8), n_classes=2, seed=0)
    out = model.forward(np.zeros((5, 1, 8, 8), np.float32))
    assert out.shape == (5, 2)


def test_build_model_infers_input_channels_of_later_layers():
    spec = arch.preset("TinyVGG-like", 10)
    model = arch.build_model(spec, (1, 8, 8), n_classes=10)
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert [c.weight.data.shape[1] for c in convs] == [1, 8, 8, 16]


def test_build_model_is_reproducible_from_the_seed():
    a = arch.build_model(CLASSIC, (1, 8, 8), seed=4).state_dict()
    b = arch.build_model(CLASSIC, (1, 8, 8), seed=4).state_dict()
    c = arch.build_model(CLASSIC, (1, 8, 8), seed=5).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert any(not np.array_equal(a[k], c[k]) for k in a)


def test_build_model_checks_the_last_layer_matches_the_classes():
    with pytest.raises(ValueError, match="last layer must be Dense 10"):
        arch.build_model(CLASSIC, (1, 8, 8), n_classes=10)


def test_spec_from_model_round_trips_a_preset():
    spec = arch.preset("LeNet-like", 10)
    model = arch.build_model(spec, (1, 28, 28), n_classes=10)
    assert arch.infer_shapes(arch.spec_from_model(model), (1, 28, 28)) == \
        arch.infer_shapes(spec, (1, 28, 28))
    assert arch.spec_from_model(model) == [arch.normalize_layer(s) for s in spec]


_spatial_layer = st.one_of(
    st.fixed_dictionaries({"type": st.just("conv"), "out_channels": st.integers(1, 3),
                           "kernel_size": st.integers(1, 4), "stride": st.integers(1, 2),
                           "padding": st.integers(0, 2), "dilation": st.integers(1, 2)}),
    st.just({"type": "relu"}),
    st.fixed_dictionaries({"type": st.sampled_from(["maxpool", "avgpool"]),
                           "kernel_size": st.integers(1, 3), "stride": st.integers(1, 3),
                           "padding": st.integers(0, 1)}),
)


@settings(max_examples=40, deadline=None)
@given(body=st.lists(_spatial_layer, min_size=1, max_size=4), size=st.integers(6, 14))
def test_inferred_shapes_match_what_the_built_model_computes(body, size):
    spec = [*body, {"type": "flatten"}, {"type": "dense", "out_features": 3}]
    try:
        shapes = arch.infer_shapes(spec, (2, size, size))
    except ValueError:
        return                                  # invalid stacks are explained, not built
    model = arch.build_model(spec, (2, size, size), n_classes=3)
    outs = model.forward_all(np.zeros((2, 2, size, size), np.float32))
    assert [o.shape[1:] for o in outs] == shapes


def test_omitted_keys_mean_pytorch_defaults():
    assert arch.normalize_layer({"type": "conv", "out_channels": 2}) == {
        "type": "conv", "out_channels": 2, "kernel_size": 3, "stride": 1, "padding": 0,
        "dilation": 1}
    assert arch.infer_shapes([{"type": "conv", "out_channels": 2}], (1, 8, 8)) == [(2, 6, 6)]


def test_layer_errors_are_the_engines_own_messages_naming_the_axis():
    tall = [{"type": "conv", "out_channels": 2, "kernel_size": 5}, {"type": "flatten"},
            {"type": "dense", "out_features": 2}]
    with pytest.raises(ValueError, match=r"^layer 1 \(Conv 2@5x5\): kernel 5 is larger than the "
                                         r"padded input, which is only 4 tall"):
        arch.infer_shapes(tall, (1, 4, 9))


def test_pool_padding_over_half_the_window_gets_the_engines_message():
    spec = [{"type": "maxpool", "kernel_size": 2, "padding": 2}, {"type": "flatten"},
            {"type": "dense", "out_features": 2}]
    with pytest.raises(ValueError, match=r"layer 1 .*more than half the pooling window"):
        arch.infer_shapes(spec, (1, 8, 8))


def test_a_layers_config_is_its_spec_entry_plus_the_inferred_input_size():
    model = arch.build_model(CLASSIC, (1, 8, 8), 2)
    for config, entry in zip(model.config(), model.metadata["spec"], strict=True):
        assert {k: v for k, v in config.items() if k not in ("in_channels", "in_features")} == entry
    assert model.config()[0]["in_channels"] == 1 and model.config()[-1]["in_features"] == 36


def test_a_spec_entry_with_its_input_size_builds_the_layer_directly():
    from cnnviz.nn.layers import layer_from_config

    layer = layer_from_config({**arch.normalize_layer(CLASSIC[0]), "in_channels": 3})
    assert layer.config() == {"type": "conv", "in_channels": 3, "out_channels": 4,
                              "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1}


def test_keys_a_spec_does_not_know_are_ignored_when_building():
    spec = [{**CLASSIC[0], "note": "edge detectors"}, *CLASSIC[1:]]
    model = arch.build_model(spec, (1, 8, 8), 2)
    assert model.config() == arch.build_model(CLASSIC, (1, 8, 8), 2).config()


@pytest.mark.parametrize("kind", ["globalavgpool", "globalmaxpool"])
def test_a_global_pool_turns_maps_into_one_feature_per_channel(kind):
    spec = [{"type": "conv", "out_channels": 6, "kernel_size": 3, "padding": 1}, {"type": kind},
            {"type": "dense", "out_features": 4}]
    assert arch.infer_shapes(spec, (1, 28, 48)) == [(6, 28, 48), (6,), (4,)]
    model = arch.build_model(spec, (1, 28, 48), n_classes=4)
    assert model.forward(np.zeros((2, 1, 28, 48), np.float32)).shape == (2, 4)


def test_a_global_pool_after_flatten_is_explained_naming_the_layer():
    with pytest.raises(ValueError, match=r"layer 2 \(GlobalMaxPool\).*before Flatten"):
        arch.infer_shapes([{"type": "flatten"}, {"type": "globalmaxpool"}], (1, 8, 8))


def test_the_why_cnns_presets_are_an_mlp_and_a_cnn_without_position_tied_weights():
    mlp = arch.preset("mlp", 10)
    assert [layer["type"] for layer in mlp] == ["flatten", "dense", "relu", "dense"]
    assert mlp[1]["out_features"] == 128
    pooled = arch.preset("CNN + global pooling", 10)
    types = [layer["type"] for layer in pooled]
    # the only dense layer comes after the global pool, so it sees channels, not positions
    assert "flatten" not in types and types.index("dense") > types.index("globalmaxpool")


def test_a_model_with_a_global_pool_round_trips_through_its_spec():
    spec = arch.preset("global", 10)
    model = arch.build_model(spec, (1, 28, 28), 10)
    assert arch.build_model(arch.spec_from_model(model), (1, 28, 28), 10).config() == \
        model.config()
