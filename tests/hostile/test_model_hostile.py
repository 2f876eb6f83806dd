"""Hostile model files: each is refused with a short ValueError/OSError sentence, in a child
process limited to about 1.5 GB of address space and a minute, so none can exhaust memory, hang,
or escape as another exception (issue 9's model-file classes, issue 13's bad files)."""

import re

import pytest
from model_cases import CASES

LOAD = """
import json, time
from cnnviz.io import load_model
start = time.monotonic()
try:
    load_model({path!r})
    report = {{"outcome": "loaded"}}
except (ValueError, OSError) as exc:
    report = {{"outcome": "refused", "type": type(exc).__name__, "message": str(exc)}}
report["seconds"] = time.monotonic() - start
print(json.dumps(report))
"""
MAX_MESSAGE = 600      # characters: a sentence or two, whatever the file holds
MAX_SECONDS = 10.0     # to refuse, once the interpreter has started


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_model_file_is_refused_with_a_short_sentence_within_the_limits(
        case, limited, tmp_path):
    _, build, words = CASES[case]
    if case.startswith("ONNX"):
        pytest.importorskip("onnx")
    path = build(tmp_path)
    run = limited(LOAD.format(path=str(path)))
    assert not run.timed_out, f"{case}: the loader hung"
    assert run.returncode == 0, f"{case}: the child died:\n{run.stderr[-3000:]}"
    report = run.last_json()
    assert report["outcome"] == "refused", f"{case}: the file loaded"
    assert re.search(words, report["message"]), report["message"]
    assert len(report["message"]) <= MAX_MESSAGE, report["message"][:200]
    assert report["seconds"] < MAX_SECONDS
