"""Seeded fuzzing of model files: byte flips and truncations of a genuine .npz, .onnx and
.safetensors model, and of the members inside the .npz (re-zipped with valid checksums, so the
.npy headers and the JSON architecture are reached). Every mutant either loads or raises
ValueError/OSError, never anything else, in a child limited to about 1.5 GB and a few minutes."""

import pytest
from model_cases import small_model

from cnnviz.io import save_model

FUZZ = """
import io, json, os, random, time, zipfile
from cnnviz.io import load_model
base = open({path!r}, "rb").read()
rng = random.Random({seed})
target = os.path.join(os.path.dirname({path!r}), "mutant" + os.path.splitext({path!r})[1])
tally, others = {{"loaded": 0, "refused": 0}}, {{}}

def mutate(data):
    data = bytearray(data)
    kind = rng.choice(("flip", "truncate", "both"))
    if kind in ("flip", "both") and data:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    if kind in ("truncate", "both") and data:
        data = data[:rng.randrange(len(data))]
    return bytes(data)

def mutate_member(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {{i.filename: archive.read(i) for i in archive.infolist()}}
    victim = rng.choice(sorted(members))
    members[victim] = mutate(members[victim][:200]) + members[victim][200:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()

for case in range({cases}):
    data = mutate_member(base) if {members} else mutate(base)
    with open(target, "wb") as f:
        f.write(data)
    try:
        load_model(target)
        tally["loaded"] += 1
    except (ValueError, OSError):
        tally["refused"] += 1
    except BaseException as exc:
        key = type(exc).__name__
        others.setdefault(key, {{"count": 0, "example": f"case {{case}}: {{exc}}"[:300]}})
        others[key]["count"] += 1
print(json.dumps({{"tally": tally, "others": others}}))
"""
# (suffix, mutate inside the zip's members?) -> cases
CASES_PER_FORMAT = {(".npz", False): 300, (".npz", True): 300, (".onnx", False): 150,
                    (".safetensors", False): 150}


@pytest.mark.slow
@pytest.mark.parametrize("suffix,members", sorted(CASES_PER_FORMAT))
def test_mutated_model_files_raise_only_value_or_os_errors(suffix, members, limited, tmp_path):
    if suffix == ".onnx":
        pytest.importorskip("onnx")
    path = save_model(small_model(), tmp_path / f"model{suffix}",
                      metadata={"input_shape": [1, 8, 8], "class_names": ["a", "b", "c"]})
    cases = CASES_PER_FORMAT[suffix, members]
    run = limited(FUZZ.format(path=str(path), seed=13, cases=cases, members=members),
                  timeout=300)
    assert not run.timed_out and run.returncode == 0, run.stderr[-3000:]
    report = run.last_json()
    assert report["others"] == {}
    assert sum(report["tally"].values()) == cases
    assert report["tally"]["refused"] > 0
