"""``python -m cnnviz explain MODEL --method M --sample K --out DIR``: one explanation of one test
image, as PNG pictures, the raw arrays (.npy) and a JSON summary.

Pictures come from :mod:`cnnviz.explain.render` and :mod:`cnnviz.png` (no Qt).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from cnnviz.explain import adversarial, cam, featurevis, integrated, render
from cnnviz.explain._common import stages
from cnnviz.explain.occlude import occlusion as occlusion_map
from cnnviz.fileio import atomic_write, write_bytes_atomic
from cnnviz.png import write_png

METHODS = ("occlusion", "ig", "gradcam-all", "featurevis", "fgsm")
SUMMARY_NAME = "summary.json"
PICTURE_SIDE = 168  # pictures are enlarged by whole pixels until about this tall
TILE_SIDE = 112     # ... and the tiles of a grid until about this


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``explain`` command to the CLI's sub-parsers."""
    p = sub.add_parser(
        "explain", help="explain a model's decision on one test image (PNGs + JSON)",
        description="Run one explanation method on test sample K of the model's data set and "
                    "write PNG pictures, the raw arrays (.npy) and summary.json into DIR.")
    p.add_argument("model", metavar="MODEL", help="a model file saved by 'train --save'")
    p.add_argument("--method", required=True, choices=METHODS,
                   help="occlusion, ig (integrated gradients), gradcam-all (Grad-CAM at every "
                        "conv layer), featurevis (every filter of one conv layer), fgsm")
    p.add_argument("--sample", type=int, default=0, metavar="K",
                   help="index of the test image to explain (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results")
    p.add_argument("--dataset", metavar="NAME|PATH",
                   help="where the test images come from (default: the model's own data set)")
    p.add_argument("--class", dest="class_index", type=int, metavar="C",
                   help="class to explain (default: the predicted one)")
    p.add_argument("--patch", type=int, default=4, help="occlusion: patch side (default 4)")
    p.add_argument("--stride", type=int, default=2, help="occlusion: step (default 2)")
    p.add_argument("--steps", type=int, default=256,
                   help="ig: integration steps (default 256); featurevis: ascent steps")
    p.add_argument("--baseline", choices=integrated.BASELINES, default="black",
                   help="ig: the baseline image (default black)")
    p.add_argument("--epsilon", type=float, default=0.1,
                   help="fgsm: largest change per pixel, in 0..1 units (default 0.1)")
    p.add_argument("--cam", choices=cam.CAM_VARIANTS, default="grad-cam",
                   help="gradcam-all: grad-cam (mean gradient per map) or hirescam (gradient "
                        "times map, per pixel)")
    p.add_argument("--layer", type=int, default=1, metavar="L",
                   help="featurevis: which conv layer, counting from 1 (default 1)")
    return p


# ----- inputs ------------------------------------------------------------------------------------
def _load(args):
    from cnnviz import data
    from cnnviz.io import load_model

    model = load_model(args.model)
    source = args.dataset or model.metadata.get("dataset")
    if not source:
        raise ValueError(f"{args.model} does not say which data set it was trained on; "
                         "pass --dataset NAME|PATH")
    try:
        ds = data.load_dataset(source)
    except ValueError as exc:
        raise ValueError(f"{exc}; pass --dataset NAME|PATH with the model's test images") \
            from None
    shape = model.metadata.get("input_shape")
    if shape and tuple(shape) != ds.input_shape:
        raise ValueError(f"the model reads {'x'.join(map(str, shape))} images but {ds.name} "
                         f"has {'x'.join(map(str, ds.input_shape))}")
    if not 0 <= args.sample < len(ds.x_test):
        raise ValueError(f"--sample {args.sample} is out of range: {ds.name} has "
                         f"{len(ds.x_test)} test images (0..{len(ds.x_test) - 1})")
    return model, ds


def _scale(side: int, target: int = PICTURE_SIDE) -> int:
    return max(1, target // max(side, 1))


def _save(out: Path, name: str, picture: np.ndarray, files: list) -> None:
    write_png(out / name, picture)
    files.append(name)


def _save_npy(out: Path, name: str, array, files: list) -> None:
    with atomic_write(out / name) as f:
        np.save(f, np.asarray(array), allow_pickle=False)
    files.append(name)


# ----- methods: each writes its files and returns its numbers ----------------------------------
def _occlusion(model, x, k, args, out, files) -> dict:
    r = occlusion_map(model, x, k, patch=args.patch, stride=args.stride)
    s = _scale(x.shape[2])
    _save(out, "occlusion.png", render.grid([
        render.enlarge(render.image_rgb(x[0]), s),
        render.enlarge(render.overlay(x[0], np.maximum(r.heatmap, 0)), s),
        render.enlarge(render.colourise(r.heatmap, render.DIVERGING), s)], gap=6), files)
    _save_npy(out, "occlusion.npy", r.heatmap, files)
    return {"patch": r.patch, "stride": r.stride, "fill": r.fill, "score": r.score,
            "base_score": r.base_score, "largest_drop": float(r.drops.max()),
            "positions": int(r.drops.size)}


def _ig(model, x, k, args, out, files, ds) -> dict:
    base = integrated.make_baseline(x, args.baseline, mean_image=ds.x_train.mean(axis=0))
    r = integrated.integrated_gradients(model, x, k, base, steps=args.steps)
    s = _scale(x.shape[2])
    attr = r.attributions.sum(axis=0)
    _save(out, "ig.png", render.grid([
        render.enlarge(render.image_rgb(x[0]), s), render.enlarge(render.image_rgb(base[0]), s),
        render.enlarge(render.colourise(attr, render.DIVERGING), s)], gap=6), files)
    _save_npy(out, "ig.npy", r.attributions, files)
    return {"baseline": args.baseline, **r.summary()}


def _gradcam_all(model, x, k, args, out, files) -> dict:
    found = cam.grad_cam_all(model, x, k, args.cam)
    if not found:
        raise ValueError("the model has no convolutional layer, so there is no Grad-CAM")
    s = _scale(x.shape[2])
    pictures = [render.enlarge(render.image_rgb(x[0]), s)]
    for n, c in enumerate(found, start=1):
        pictures.append(render.enlarge(render.overlay(x[0], c.upsampled), s))
        _save(out, f"gradcam_layer{n}.png", pictures[-1], files)
        _save_npy(out, f"gradcam_layer{n}.npy", c.coarse, files)
    _save(out, "gradcam_all.png", render.grid(pictures, gap=6), files)
    return {"variant": args.cam,
            "layers": [{"layer": c.layer, "name": c.name, "map_shape": list(c.coarse.shape),
                        "empty": bool(c.coarse.max() <= 0)} for c in found]}


def _featurevis(model, x, k, args, out, files, ds) -> dict:
    found = stages(model, ds.input_shape)
    if not 1 <= args.layer <= len(found):
        raise ValueError(f"--layer {args.layer}: the model has {len(found)} conv layer(s)")
    stage = found[args.layer - 1]
    settings = featurevis.FeatureVisSettings(steps=args.steps)
    r = featurevis.visualize(model, stage.output, ds.input_shape, settings=settings)
    test_mean = featurevis.unit_activations(model, stage.output, ds.x_test).mean(axis=0)
    s = _scale(ds.input_shape[1], TILE_SIDE)
    tiles = [render.enlarge(render.image_rgb(im), s) for im in r.images]
    _save(out, f"featurevis_layer{args.layer}.png",
          render.grid(tiles, columns=min(8, len(tiles))), files)
    _save_npy(out, f"featurevis_layer{args.layer}.npy", r.images, files)
    ratio = r.activation / np.maximum(test_mean, 1e-12)
    return {"layer": stage.output, "name": stage.name, "steps": settings.steps,
            "objective": settings.objective, "activation": r.activation.tolist(),
            "random_input_activation": r.start_activation.tolist(),
            "test_mean_activation": test_mean.tolist(), "ratio_to_test_mean": ratio.tolist()}


def _fgsm(model, x, k, args, out, files) -> dict:
    r = adversarial.fgsm(model, x, args.epsilon)
    s = _scale(x.shape[2])
    pert = r.perturbation.sum(axis=0)
    _save(out, "fgsm.png", render.grid([
        render.enlarge(render.image_rgb(x[0]), s),
        render.enlarge(render.colourise(pert, render.DIVERGING), s),
        render.enlarge(render.image_rgb(r.image), s)], gap=6), files)
    _save_npy(out, "fgsm.npy", r.image, files)
    smallest = adversarial.smallest_flipping_epsilon(model, x)
    return {**r.summary(), "smallest_flipping_epsilon": smallest}


def run(args) -> int:
    """Carry out ``explain``; ValueError/OSError for anything the user can fix."""
    model, ds = _load(args)
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {args.out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    x = ds.x_test[args.sample:args.sample + 1]
    probs = model.predict_proba(x)[0]
    pred = int(np.argmax(probs))
    k = pred if args.class_index is None else args.class_index
    if not 0 <= k < len(probs):
        raise ValueError(f"--class {k} is out of range; the model has {len(probs)} classes")
    files: list[str] = []
    _save(out, "input.png", render.enlarge(render.image_rgb(x[0]), _scale(x.shape[2])), files)
    method = {"occlusion": _occlusion, "gradcam-all": _gradcam_all, "fgsm": _fgsm}
    if args.method in method:
        numbers = method[args.method](model, x, k, args, out, files)
    else:
        fn = _ig if args.method == "ig" else _featurevis
        numbers = fn(model, x, k, args, out, files, ds)
    names = list(ds.class_names)
    summary = {"method": args.method, "model": str(args.model), "dataset": ds.name,
               "sample": args.sample, "true_class": names[int(ds.y_test[args.sample])],
               "predicted_class": names[pred], "confidence": float(probs[pred]),
               "explained_class": names[k], **numbers, "files": files + [SUMMARY_NAME]}
    write_bytes_atomic(out / SUMMARY_NAME, (json.dumps(_plain(summary), indent=2) + "\n").encode())
    print(f"{args.method} of test sample {args.sample} ({summary['true_class']}, predicted "
          f"{summary['predicted_class']}): wrote {len(files) + 1} files to {out}")
    return 0


def _plain(value):
    """JSON-able: NaN and infinities become null."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
