"""The command line with colour data: the coloured-shapes set and colour PNG folders."""

import json

import numpy as np

from cnnviz import cli


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _folder(tmp_path, write_png):
    rng = np.random.default_rng(0)
    for name, channel in (("reds", 0), ("greens", 1)):
        (tmp_path / name).mkdir()
        for i in range(12):
            rgb = rng.integers(0, 40, (8, 8, 3))
            rgb[..., channel] += 150
            write_png(tmp_path / name / f"{i}.png", rgb, 2)
    return tmp_path


def test_train_accepts_the_coloured_shapes_set(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "colour-shapes", "--epochs", "1",
                           "--json")
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and result["dataset"] == "colour-shapes"
    assert "3x20x20" in out and "6 classes" in out


def test_train_keeps_a_folders_colour_with_dash_dash_colour(capsys, tmp_path, write_png):
    folder = str(_folder(tmp_path, write_png))
    code, out, _ = run_cli(capsys, "train", "--dataset", folder, "--colour", "--image-size", "8",
                           "--epochs", "10", "--batch-size", "4", "--lr", "0.01", "--json")
    assert code == 0
    assert "24 images in 2 classes, colour (3 channels)" in out and "3x8x8" in out
    # reddish versus greenish noise: colour separates them at once
    assert json.loads(out.strip().splitlines()[-1])["test_accuracy"] == 1.0


def test_train_reads_a_png_folder_grey_without_dash_dash_colour(capsys, tmp_path, write_png):
    code, out, _ = run_cli(capsys, "train", "--dataset", str(_folder(tmp_path, write_png)),
                           "--image-size", "8", "--epochs", "1")
    assert code == 0 and "grey" in out and "1x8x8" in out


def test_a_folder_without_readable_pngs_is_one_line_and_status_two(capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.jpg").write_bytes(b"\xff\xd8")
    code, _, err = run_cli(capsys, "train", "--dataset", str(tmp_path), "--colour")
    assert code == 2 and err.count("\n") == 1 and "PNG files only" in err


def test_summary_shows_the_cnn_explainer_tinyvgg_on_64_pixel_colour_input(capsys, tmp_path):
    from cnnviz.nn import architecture, summary

    spec = architecture.preset("tinyvgg-explainer", 10)
    shapes = [row.output_shape for row in summary.summarize(spec, (3, 64, 64))]
    assert shapes[:5] == [(10, 62, 62), (10, 62, 62), (10, 60, 60), (10, 60, 60), (10, 30, 30)]
    assert shapes[-3:] == [(10, 13, 13), (1690,), (10,)]
    code, out, _ = run_cli(capsys, "summary", "--dataset", "colour-shapes", "--arch",
                           "tinyvgg-explainer")
    assert code == 0 and "TinyVGG (CNN Explainer)" in out
