"""The per-layer summary table: shapes, parameters, receptive field, FLOPs, dense equivalent."""

import pytest

from cnnviz.nn import architecture as arch
from cnnviz.nn import summary

CONV16 = [{"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1}]


def test_param_counts_show_weight_sharing():
    assert summary.dense_param_count(28 * 28, 128) == 100_480
    assert summary.conv_param_count(3, in_channels=1, out_channels=16) == 160
    assert summary.conv_param_count(7) == 50


def test_param_count_of_a_rectangular_kernel_multiplies_its_sides():
    assert summary.conv_param_count((3, 5), in_channels=2, out_channels=4) == 4 * (2 * 15 + 1)


def test_conv_parameters_are_weights_plus_biases():
    row, = summary.summarize(CONV16, (1, 28, 28))
    assert row.params == 16 * 1 * 3 * 3 + 16 == 160
    assert row.output_shape == (16, 28, 28)


def test_dense_equivalent_of_a_conv_is_a_full_matrix_between_input_and_output():
    row, = summary.summarize(CONV16, (1, 28, 28))
    assert row.dense_equivalent_params == 784 * 12544 + 12544


def test_conv_flops_are_two_per_multiply_add():
    row, = summary.summarize(CONV16, (1, 28, 28))
    assert row.flops == 2 * (1 * 3 * 3) * (16 * 28 * 28)


def test_dense_flops_and_params():
    rows = summary.summarize([{"type": "flatten"}, {"type": "dense", "out_features": 10}],
                             (1, 8, 8))
    assert rows[1].params == 64 * 10 + 10 and rows[1].flops == 2 * 64 * 10
    assert rows[1].dense_equivalent_params == rows[1].params
    assert rows[0].params == rows[0].flops == rows[0].dense_equivalent_params == 0


def test_receptive_field_grows_with_depth_and_pooling_multiplies_the_jump():
    spec = [{"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1},
            {"type": "maxpool", "kernel_size": 2},
            {"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1}]
    rows = summary.summarize(spec, (1, 16, 16))
    assert [(r.receptive_field, r.jump) for r in rows] == [(3, 1), (4, 2), (8, 2)]


def test_padding_moves_the_first_window_into_the_padding_by_the_jump_so_far():
    spec = [{"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1},
            {"type": "maxpool", "kernel_size": 2},
            {"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1}]
    rows = summary.summarize(spec, (1, 16, 16))
    # padding 1 of the second conv is one map pixel = jump 2 input pixels: -1 - 2 = -3
    assert [r.offset for r in rows] == [-1, -1, -3]
    assert [r.field.centre for r in rows] == [0.0, 0.5, 0.5]


def test_receptive_fields_follow_each_window_and_skip_layers_without_one():
    fields = summary.receptive_fields([(3, 1, 0, 1), None, (3, 1, 0, 1), (2, 2, 0, 1),
                                       (3, 1, 1, 2)])
    assert [f.size for f in fields] == [3, 3, 5, 6, 6 + 2 * 2 * 2]
    assert [f.jump for f in fields] == [1, 1, 1, 2, 2]
    assert [f.offset for f in fields] == [0, 0, 0, 0, -2]


def test_output_pixel_i_starts_its_window_at_offset_plus_i_jumps():
    field = summary.Field(size=5, offset=-1, jump=2)
    assert field.centre == 1.0  # pixels -1 .. 3
    assert summary.receptive_fields([(3, 2, 1, 1), (2, 1, 0, 1)])[-1] == field


def test_dilation_widens_the_receptive_field_without_more_parameters():
    plain, = summary.summarize([{"type": "conv", "out_channels": 1, "kernel_size": 3}], (1, 9, 9))
    wide, = summary.summarize([{"type": "conv", "out_channels": 1, "kernel_size": 3,
                                "dilation": 2}], (1, 9, 9))
    assert (plain.receptive_field, wide.receptive_field) == (3, 5)
    assert plain.params == wide.params


def test_dense_layers_see_the_whole_input():
    rows = summary.summarize(arch.preset("classic", 2), (1, 8, 8))
    assert rows[-1].receptive_field == 8


def test_summarize_accepts_a_built_model():
    spec = arch.preset("TinyVGG-like", 10)
    model = arch.build_model(spec, (1, 28, 28), n_classes=10)
    from_model = summary.summarize(model, (1, 28, 28))
    assert from_model == summary.summarize(spec, (1, 28, 28))
    assert summary.totals(from_model)["params"] == sum(p.data.size for p in model.parameters())


def test_totals_add_up_the_rows():
    rows = summary.summarize(arch.preset("LeNet-like", 10), (1, 28, 28))
    tot = summary.totals(rows)
    assert tot["params"] == sum(r.params for r in rows)
    assert tot["flops"] == sum(r.flops for r in rows)


def test_format_table_has_a_header_a_row_per_layer_and_totals():
    rows = summary.summarize(arch.preset("classic", 2), (1, 8, 8))
    text = summary.format_table(rows)
    lines = text.splitlines()
    assert "params" in lines[0] and "dense equiv." in lines[0]
    assert any("Conv 4@3x3" in line and "40" in line for line in lines)
    assert lines[-1].split()[0] == "total"
    assert len(lines) == 2 + len(rows) + 2


def test_invalid_spec_raises_the_shape_error():
    with pytest.raises(ValueError, match="layer 1"):
        summary.summarize([{"type": "dense", "out_features": 2}], (1, 8, 8))


def test_sharing_note_compares_conv_parameters_with_their_dense_equivalents():
    note = summary.sharing_note(summary.summarize(CONV16, (1, 28, 28)))
    assert "160 parameters" in note and "9,847,040" in note and "61,544x" in note


def test_sharing_note_is_none_without_conv_layers():
    rows = summary.summarize([{"type": "flatten"}, {"type": "dense", "out_features": 2}],
                             (1, 4, 4))
    assert summary.sharing_note(rows) is None


def test_a_global_pool_row_sees_its_whole_map_and_has_no_parameters():
    spec = [*CONV16, {"type": "maxpool", "kernel_size": 2}, {"type": "globalmaxpool"},
            {"type": "dense", "out_features": 10}]
    rows = summary.summarize(spec, (1, 28, 28))
    pool = rows[2]
    assert pool.name == "GlobalMaxPool" and pool.output_shape == (16,) and pool.params == 0
    # the 4-pixel field of the 14x14 map's pixels, 13 jumps of 2 further on
    assert pool.receptive_field == 4 + 13 * 2
    assert pool.flops == 16 * 14 * 14 and pool.dense_equivalent_params == 0
    assert rows[3].params == 16 * 10 + 10


def test_the_mlp_preset_has_the_textbook_parameter_count():
    rows = summary.summarize(arch.preset("Dense (MLP)", 10), (1, 28, 28))
    assert rows[1].params == 100_480 and summary.totals(rows)["params"] == 101_770
