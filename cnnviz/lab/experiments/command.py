"""``python -m cnnviz experiment NAME``: run one "Why CNNs" experiment from the command line.

Progress goes to stdout as it happens, then the result table and one sentence; with ``--json``
the last line is the result as one JSON object (the same as the app's ``results()[NAME]``).
"""

from __future__ import annotations

import argparse
import json
import math

from cnnviz.lab import experiments
from cnnviz.lab.experiments.common import Settings, format_table
from cnnviz.lab.experiments.params import Layers

__all__ = ["add_parser", "cmd_experiment"]

DESCRIPTION = """\
Run one of the experiments that show why convolutions beat dense networks on images. The
MLP, the CNN (conv-pool-conv-pool-dense) and the CNN ending in a global pool train on exactly the
same images in the same order from the same seed.

  params           parameters of one dense layer against one conv layer (no training)
  position         train on digits in the left of a 28x48 canvas, test on the right
  shift            train on centred digits, test them moved 0..8 px to the right
  permute          one fixed pixel permutation: hurts the CNN, not the MLP
  receptive-field  effective (90 % of the gradient) against theoretical receptive fields
"""


def _size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 28x28") from None
    if h < 1 or w < 1:
        raise argparse.ArgumentTypeError(f"both sides must be at least 1, got {text}")
    return h, w


def add_parser(sub, positive_int, non_negative_int) -> None:
    """Add the ``experiment`` subcommand to ``sub`` (argparse subparsers)."""
    p = sub.add_parser("experiment", help="run a 'Why CNNs' experiment (MLP vs CNN)",
                       description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", choices=experiments.NAMES, metavar="NAME",
                   help=f"one of {', '.join(experiments.NAMES)}")
    p.add_argument("--dataset", default=experiments.DEFAULT_DATASET, metavar="NAME|PATH",
                   help="grey images to use (default: mnist, the 5,000 bundled digits)")
    p.add_argument("--epochs", type=positive_int, metavar="N",
                   help="passes over the training images (default: the experiment's own)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="S",
                   help="seed for weights, data and batch order (default 0)")
    p.add_argument("--quick", action="store_true",
                   help="fewer epochs and images: done in seconds, less sharp")
    p.add_argument("--json", action="store_true", help="end with the result as one JSON line")
    # a few images and one epoch: the test suite's smoke run
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    group = p.add_argument_group("params only")
    group.add_argument("--input", type=_size, default=(28, 28), metavar="HxW",
                       help="image size (default 28x28)")
    group.add_argument("--channels", type=positive_int, default=1, metavar="C",
                       help="input channels (default 1)")
    group.add_argument("--units", type=positive_int, default=128, metavar="N",
                       help="units of the dense layer (default 128)")
    group.add_argument("--filters", type=positive_int, default=16, metavar="F",
                       help="filters of the conv layer (default 16)")
    group.add_argument("--kernel", type=positive_int, default=3, metavar="K",
                       help="kernel size of the conv layer (default 3)")


def _plain(value):
    """JSON without NaN (null instead), as the train command writes it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def cmd_experiment(args) -> int:
    """Run ``args.name``; print progress, the table, the conclusion (and the JSON)."""
    tiny = {"epochs": 1, "train_images": 60, "test_images": 30} if args.tiny else {}
    settings = Settings(**{"epochs": args.epochs, "seed": args.seed, "quick": args.quick, **tiny})
    options = {}
    if args.name == "params":
        options["layers"] = Layers(*args.input, args.channels, args.units, args.filters,
                                   args.kernel)
    last_message, result = None, None
    for item in experiments.run(args.name, args.dataset, settings, **options):
        if item.finished:
            result = item
        elif item.message != last_message:
            last_message = item.message
            print(item.message, flush=True)
    print(format_table(*result.table()))
    print(result.conclusion())
    if result.seconds >= 0.1:
        print(f"({result.seconds:.1f} s)")
    if args.json:
        print(json.dumps(_plain(result.to_json())))
    return 0
