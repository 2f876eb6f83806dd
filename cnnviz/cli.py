"""The command line: ``python -m cnnviz train | summary | convert | inspect | explain | bench |
experiment``.

Errors a user can cause (a bad path, a malformed file, a nonsense number) print one line to stderr
and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
import time
from pathlib import Path

from cnnviz.cli_models import SAVE_HELP, add_model_commands, backend_arguments, check_save_suffix
from cnnviz.explain import command as explain_command
from cnnviz.nn.architecture import PRESET_ALIASES
from cnnviz.runtime import tune
from cnnviz.train import FILE_DEFAULTS, RECOMMENDED, recommended_settings

KNOWN_SHAPES = {"lines": ((1, 8, 8), 2), "digits": ((1, 8, 8), 10), "shapes": ((1, 28, 28), 5),
                "colour-shapes": ((3, 20, 20), 6), "mnist": ((1, 28, 28), 10)}
ARCH_CHOICES = tuple(PRESET_ALIASES)

EPILOG = """examples:
  python -m cnnviz train --dataset lines --epochs 15 --seed 0
  python -m cnnviz train --dataset digits --json
  python -m cnnviz train --dataset ~/mnist.npz --arch lenet --save mnist.npz
  python -m cnnviz train --dataset shapes --backend torch --save shapes.onnx
  python -m cnnviz convert mnist.npz mnist.safetensors
  python -m cnnviz inspect mnist.onnx
  python -m cnnviz train --dataset colour-shapes
  python -m cnnviz train --dataset ~/photos --colour --image-size 64 --arch tinyvgg-explainer
  python -m cnnviz summary --dataset digits --arch tinyvgg
  python -m cnnviz explain mnist.npz --method ig --sample 3 --out results/
  python -m cnnviz bench --quick
  python -m cnnviz experiment position --quick --json
"""


def _checked(kind, what: str, ok, rule: str):
    """An argparse ``type``: parse ``text`` as ``kind`` and require ``ok(value)``; ``rule`` is the
    message otherwise (formatted with ``value`` and ``text``)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(rule.format(value=value, text=text))
        return value
    return parse


_positive_int = _checked(int, "a whole number", lambda v: v >= 1, "must be at least 1, got {value}")
_non_negative_int = _checked(int, "a whole number", lambda v: v >= 0,
                             "must be 0 or more, got {value}")
_positive_float = _checked(float, "a number", lambda v: math.isfinite(v) and v > 0,
                           "must be a positive number, got {text}")
_non_negative_float = _checked(float, "a number", lambda v: math.isfinite(v) and v >= 0,
                               "must be 0 or a positive number, got {text}")


def _add_bench_parser(sub) -> None:
    bench = sub.add_parser(
        "bench", help="speed, memory and start-up figures against PyTorch and OpenCV",
        description="Measure, side by side in one run: training samples/s of six workloads "
                    "against PyTorch CPU at 1 and 2 threads (ratio to the better one, median and "
                    "minimum over interleaved repeats), once more with a busy core, the fraction "
                    "of the measured sgemm peak, a training step's peak memory, start-up to first "
                    "paint, and the playground's convolution against OpenCV's filter2D. Columns "
                    "of libraries that are not installed are skipped. Never fails on a ratio.")
    bench.add_argument("--quick", action="store_true", help="fewer, shorter repeats (for CI)")
    bench.add_argument("--json", action="store_true",
                       help="print the table as one JSON object (after the progress lines)")
    bench.add_argument("--repeats", type=_positive_int, help="interleaved repeats per row")
    bench.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # test smoke run


def _add_train_arguments(train: argparse.ArgumentParser) -> None:
    """The options of ``train``: the data, the hyperparameters, where to save."""
    train.add_argument("--dataset", default="lines", metavar="NAME|PATH",
                       help="lines, shapes, digits, mnist, colour-shapes, a Keras-style "
                            "mnist.npz, a folder of MNIST IDX files, an IDX images file with its "
                            "labels beside it, or a folder with one sub-folder of PNG images per "
                            "class "
                            "(default: lines)")
    train.add_argument("--colour", "--color", action="store_true",
                       help="keep an image folder's colour (3 input channels) instead of "
                            "converting it to grey")
    train.add_argument("--image-size", type=_positive_int, default=28, metavar="PX",
                       help="side an image folder's images are resized to (default 28)")
    train.add_argument("--epochs", type=_positive_int, metavar="N",
                       help="passes over the training set")
    train.add_argument("--batch-size", type=_positive_int, metavar="B",
                       help="images per gradient step")
    train.add_argument("--lr", type=_positive_float, metavar="LR", help="learning rate")
    train.add_argument("--optimizer", choices=("sgd", "momentum", "adam"),
                       help="sgd, momentum (SGD with momentum 0.9) or adam")
    train.add_argument("--weight-decay", type=_non_negative_float, default=0.0, metavar="WD",
                       help="L2 penalty (default 0)")
    train.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                       help="seed for weights, data and shuffling (default 0)")
    train.add_argument("--arch", choices=ARCH_CHOICES,
                       help="a preset network (default: the data set's own small network)")
    train.add_argument("--save", metavar="MODEL", help=SAVE_HELP)
    backend_arguments(train)
    train.add_argument("--json", action="store_true",
                       help="end with one JSON line: test_accuracy, train_loss, seconds, ...")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz",
        description="Train, inspect and benchmark the NumPy CNNs of cnnviz; run its experiments.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = sub.add_parser(
        "train", help="train a network and report its test accuracy",
        description="Train a CNN on a data set, printing one line per epoch (loss, train and "
                    "test accuracy, seconds). Unset options take per-data-set defaults: "
                    + "; ".join(f"{k}: {v['epochs']} epochs, batch {v['batch_size']}, "
                                f"{v['optimizer']} lr {v['lr']}"
                                for k, v in RECOMMENDED.items())
                    + f"; files (e.g. MNIST): {FILE_DEFAULTS['epochs']} epochs, batch "
                    f"{FILE_DEFAULTS['batch_size']}, adam lr {FILE_DEFAULTS['lr']}.")
    _add_train_arguments(train)

    summary = sub.add_parser(
        "summary", help="per-layer shapes, parameters, receptive fields, FLOPs",
        description="Print the network's per-layer table: output shape, parameters, receptive "
                    "field and jump, FLOPs (2 per multiply-add), and the parameters a dense layer "
                    "would need for the same input and output sizes.")
    summary.add_argument("--dataset", default="lines", metavar="NAME|PATH",
                         help="data set whose image size and classes to use (default: lines)")
    summary.add_argument("--arch", choices=ARCH_CHOICES,
                         help="a preset network (default: the data set's own)")
    summary.add_argument("--model", metavar="MODEL.npz",
                         help="summarise a model saved by 'train --save' instead")

    add_model_commands(sub)
    explain_command.add_parser(sub)
    _add_bench_parser(sub)
    _add_experiment_parser(sub)
    return parser


def _add_experiment_parser(sub) -> None:
    from cnnviz.lab.experiments.command import add_parser

    add_parser(sub, _positive_int, _non_negative_int)


def _spec_for(args, dataset_name: str, input_shape, n_classes: int) -> tuple[list, str]:
    from cnnviz.nn import architecture

    if args.arch:
        name = architecture.PRESET_ALIASES[args.arch]
        return architecture.preset(name, n_classes), name
    return architecture.default_architecture(dataset_name, input_shape, n_classes), "default"


def _epoch_line(s, width: int) -> str:
    test = "   n/a" if s.test_accuracy is None else f"{100 * s.test_accuracy:5.1f}%"
    return (f"epoch {s.epoch:>{width}}/{s.epochs}  loss {s.epoch_loss:.4f}  "
            f"train acc {100 * s.train_accuracy:5.1f}%  test acc {test}  {s.elapsed:6.2f} s")


def _check_save_path(path: str) -> None:
    """Refuse an unusable --save target before training, not after: the folder must exist and
    accept a file of that name (tried with a real temporary file, see
    :func:`cnnviz.fileio.check_writable`)."""
    from cnnviz.fileio import check_writable

    target = Path(path).expanduser()
    if target.is_dir():
        raise ValueError(f"--save {path} is a folder; give a file name such as "
                         f"{target / 'model.npz'}")
    parent = target.parent
    if not parent.is_dir():
        raise ValueError(f"--save: the folder {parent} does not exist")
    try:
        check_writable(target)
    except OSError as exc:
        raise ValueError(f"--save: {exc.strerror or exc}") from None


def _load_training_data(args):
    """The data set ``args`` name; an image folder says what it read (and converted, skipped)."""
    from cnnviz import data
    from cnnviz.data.folders import is_image_folder, read_png_folder

    path = Path(args.dataset).expanduser()
    if args.dataset not in data.BUILTIN and is_image_folder(path):
        if not 1 <= args.image_size <= 512:
            raise ValueError(f"--image-size must be between 1 and 512 pixels, not "
                             f"{args.image_size}")
        folder = read_png_folder(path, (args.image_size, args.image_size), colour=args.colour)
        print(f"{path.name}: {folder.note()}", flush=True)
        return folder.dataset(args.seed, path.name)
    if args.colour:
        print("note: --colour applies to image folders only; ignored", file=sys.stderr)
    return data.load_dataset(args.dataset, seed=args.seed)


def cmd_train(args) -> int:
    from cnnviz.backends import make_trainer
    from cnnviz.nn import architecture

    _check_before_training(args)
    t_start = time.perf_counter()
    ds = _load_training_data(args)
    if ds.warning():
        print(f"warning: {ds.warning()}", file=sys.stderr, flush=True)
    defaults = recommended_settings(ds.name)
    epochs = args.epochs or defaults["epochs"]
    batch = args.batch_size or defaults["batch_size"]
    optimizer = args.optimizer or defaults["optimizer"]
    lr = args.lr or (defaults["lr"] if not args.optimizer or args.optimizer == defaults["optimizer"]
                     else None)
    spec, arch_name = _spec_for(args, ds.name, ds.input_shape, ds.n_classes)
    model = architecture.build_model(spec, ds.input_shape, ds.n_classes, seed=args.seed)
    trainer = make_trainer(model, ds, backend=args.backend, device=args.device,
                           optimizer=optimizer, lr=lr, batch_size=batch, epochs=epochs,
                           weight_decay=args.weight_decay, seed=args.seed, evals_per_epoch=1)
    print(f"{ds.name}: {len(ds.x_train)} training / {len(ds.x_test)} test images of "
          f"{'x'.join(map(str, ds.input_shape))}, {ds.n_classes} classes; {optimizer} "
          f"lr {trainer.optimizer.lr:g}, batch {batch}, {epochs} epochs"
          + ("" if args.backend == "numpy" else f", PyTorch on {args.device}"), flush=True)
    last = None
    width = len(str(epochs))
    for snap in trainer.steps():
        last = snap
        if snap.epoch_end and not snap.diverged:
            print(_epoch_line(snap, width), flush=True)
    if last.diverged:
        test_loss = test_acc = float("nan")
    elif last.test_accuracy is None:                 # an empty test set
        test_loss, test_acc = trainer.evaluate()
    else:
        test_loss, test_acc = last.test_loss, last.test_accuracy
    result = {
        "dataset": ds.name, "architecture": arch_name, "optimizer": optimizer,
        "lr": trainer.optimizer.lr, "batch_size": batch, "epochs": epochs, "seed": args.seed,
        "test_accuracy": test_acc, "test_loss": test_loss, "train_loss": last.epoch_loss,
        "train_accuracy": last.train_accuracy, "seconds": round(last.elapsed, 3),
        "total_seconds": round(time.perf_counter() - t_start, 3),
        "samples_per_second": round(last.samples_per_second, 1), "steps": last.step,
        "diverged": last.diverged, "backend": args.backend,
    }
    if last.diverged:
        print(last.message, file=sys.stderr)
    elif args.save:
        _save_trained(model, ds, args.save, test_acc)
        result["saved"] = args.save
    if not last.diverged:
        print(_result_line(test_acc, last, len(ds.x_train)))
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                          for k, v in result.items()}))
    return 1 if last.diverged else 0


def _check_before_training(args) -> None:
    """Refuse a --save target or backend that cannot work, before any data is read."""
    from cnnviz.backends import unavailable_reason

    if args.save:
        check_save_suffix(args.save)
        _check_save_path(args.save)
    reason = unavailable_reason(args.backend, args.device)
    if reason is not None:
        raise ValueError(reason)


def _save_trained(model, ds, path: str, test_acc: float) -> None:
    from cnnviz.io import save_model

    save_model(model, path, metadata={
        "dataset": ds.name, "class_names": ds.class_names, "input_shape": list(ds.input_shape),
        "test_accuracy": test_acc if math.isfinite(test_acc) else None})
    print(f"saved the model to {path}")


def _result_line(test_acc: float, last, n_train: int) -> str:
    speed = f"after {last.elapsed:.2f} s of training ({last.samples_per_second:,.0f} samples/s)"
    if not math.isfinite(test_acc):  # no test images: there is nothing to measure
        return (f"no test set (all {n_train} images were used for training), so there is no "
                f"test accuracy; finished {speed}")
    return f"test accuracy {100 * test_acc:.2f}% {speed}"


def cmd_summary(args) -> int:
    from cnnviz.nn import summary

    if args.model:
        from cnnviz.io import load_model
        from cnnviz.nn.architecture import spec_from_model

        model = load_model(args.model)
        input_shape = model.metadata.get("input_shape")
        if not input_shape or len(input_shape) != 3:
            raise ValueError(f"{args.model} does not record its input shape")
        print(f"{args.model} (trained on {model.metadata.get('dataset', 'unknown data')}, "
              f"{'x'.join(map(str, input_shape))} input)")
        _print_summary(summary.summarize(spec_from_model(model), input_shape))
        return 0
    if args.dataset in KNOWN_SHAPES:
        input_shape, n_classes = KNOWN_SHAPES[args.dataset]
        name = args.dataset
    else:
        from cnnviz import data

        ds = data.load_dataset(args.dataset)
        input_shape, n_classes, name = ds.input_shape, ds.n_classes, ds.name
    spec, arch_name = _spec_for(args, name, input_shape, n_classes)
    rows = summary.summarize(spec, input_shape)
    print(f"{arch_name} network on {name} ({'x'.join(map(str, input_shape))} input, "
          f"{n_classes} classes)")
    _print_summary(rows)
    return 0


def _print_summary(rows) -> None:
    from cnnviz.nn import summary

    print(summary.format_table(rows))
    notes = ["RF = receptive field (input pixels one output sees, per side); jump = input pixels "
             "between neighbouring outputs; FLOPs count a multiply-add as 2; 'dense equiv.' is "
             "what a fully-connected layer would need for the same input and output sizes.",
             summary.sharing_note(rows)]
    for note in filter(None, notes):
        print(textwrap.fill(note, width=100))


def cmd_bench(args) -> int:
    from cnnviz import bench

    meta: dict = {}
    rows = bench.run(quick=args.quick, repeats=args.repeats, tiny=args.tiny, meta=meta,
                     log=lambda m: print(m, file=sys.stderr if args.json else sys.stdout,
                                         flush=True))
    print(bench.to_json(rows, meta) if args.json else bench.format_rows(rows))
    return 0


def cmd_experiment(args) -> int:
    from cnnviz.lab.experiments.command import cmd_experiment as run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    tune()  # process-wide NumPy speed settings (cnnviz.runtime): asked for here, never on import
    if args.command in ("train", "bench", "experiment"):
        from cnnviz.nn import kernels

        kernels.prepare(lambda m: print(m, file=sys.stderr, flush=True))
    from cnnviz.cli_models import cmd_convert, cmd_inspect

    command = {"train": cmd_train, "summary": cmd_summary, "bench": cmd_bench,
               "convert": cmd_convert, "inspect": cmd_inspect,
               "explain": explain_command.run, "experiment": cmd_experiment}[args.command]
    try:
        return command(args)
    except ValueError as exc:
        print(f"cnnviz {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:                   # e.g. a disk filling up while saving
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"cnnviz {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
