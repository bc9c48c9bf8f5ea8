"""Step hashes for incremental runs: a step's hash covers its generated code, the hashes
of the steps it reads from and, for sources, a fingerprint of the input data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from dsmagic.config import current_settings

CACHE_FORMAT = 1


def cache_root() -> Path:
    return current_settings().artifact_root / "pipeline-cache"


def file_fingerprint(path: Path) -> str:
    import xxhash

    digest = xxhash.xxh3_128()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def frame_fingerprint(frame: Any) -> str:
    import pandas as pd
    import xxhash

    values = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest = xxhash.xxh3_128(values.tobytes())
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(json.dumps([str(t) for t in frame.dtypes]).encode())
    return digest.hexdigest()


def step_hashes(program, parents: dict[str, list[str]], fingerprints: dict[str, str]):
    hashes: dict[str, str] = {}
    for block in program.blocks:
        payload = json.dumps(
            [CACHE_FORMAT, block.code, sorted(hashes[p] for p in parents.get(block.step_id, [])),
             fingerprints.get(block.step_id, ""), program.seed, sorted(block.imports)]
        )  # fmt: skip
        hashes[block.step_id] = hashlib.sha256(payload.encode()).hexdigest()
    return hashes


def save_code(names: list[str], path: Path) -> str:
    return (
        "import pickle as _dsmagic_pickle\n"
        f"with open({str(path)!r}, 'wb') as _dsmagic_file:\n"
        f"    _dsmagic_pickle.dump({{_n: globals()[_n] for _n in {names!r}}}, _dsmagic_file)\n"
        "del _dsmagic_file, _dsmagic_pickle"
    )


def load_code(path: Path) -> str:
    return (
        "import pickle as _dsmagic_pickle\n"
        f"with open({str(path)!r}, 'rb') as _dsmagic_file:\n"
        "    globals().update(_dsmagic_pickle.load(_dsmagic_file))\n"
        "del _dsmagic_file, _dsmagic_pickle"
    )
