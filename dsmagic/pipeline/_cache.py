"""Step hashes for incremental runs: a step's hash covers its generated code, the hashes
of the steps it reads from and, for sources, a fingerprint of the input data.

A cached result is a pickle, and unpickling runs code, so an entry is only ever loaded
from the pipeline's own folder under the cache root, and only when its signature (an HMAC
with the per-user key of :mod:`._secret`, over the entry's place and SHA-256) checks out;
the kernel re-checks the SHA-256 of the bytes it unpickles. Anything else is recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

from dsmagic._files import file_sha256, inside, write_atomic
from dsmagic.config import current_settings
from dsmagic.errors import DsmagicError, DsmagicWarning
from dsmagic.pipeline import _secret
from dsmagic.pipeline._graph import check_pipeline_id

CACHE_FORMAT = 1


def cache_root() -> Path:
    return current_settings().artifact_root / "pipeline-cache"


def cache_dir(pipeline_id: str) -> Path:
    """The pipeline's own cache folder (its id is checked, the path stays under the root)."""
    return inside(cache_root(), check_pipeline_id(pipeline_id), "pipeline id")


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _message(entry: Path, digest: str) -> str:
    return f"dsmagic-cache/{CACHE_FORMAT}/{entry.parent.name}/{entry.name}/{digest}"


def _signature(entry: Path) -> Path:
    return entry.with_suffix(".sig")


def _sign(message: str) -> str | None:
    """The signature, or None when the key cannot be read or made: then nothing is cached
    and nothing is loaded from the cache (one warning per key file and problem)."""
    try:
        return _secret.sign(message)
    except (OSError, DsmagicError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        where = str(_secret.key_path())
        if (where, reason) not in _warned:
            _warned.add((where, reason))
            warnings.warn(f"pipeline steps are not cached: no usable cache key at {where!r} "
                          f"({reason})", DsmagicWarning, stacklevel=2)  # fmt: skip
        return None


_warned: set[tuple[str, str | None]] = set()


def seal(partial: Path, entry: Path) -> None:
    """Sign what a kernel just wrote to ``partial`` and move it into place as ``entry``."""
    digest = file_sha256(partial)
    mac = _sign(_message(entry, digest))
    if mac is None:
        partial.unlink(missing_ok=True)
        return
    write_atomic(_signature(entry), json.dumps({"sha256": digest, "hmac": mac}) + "\n")
    os.replace(partial, entry)


def verified_digest(entry: Path) -> str | None:
    """The SHA-256 of ``entry`` when it is a cache entry this user wrote, else None."""
    try:
        if entry.is_symlink() or not entry.is_file():
            return None
        record = json.loads(_signature(entry).read_text(encoding="utf-8"))
        mac = record["hmac"]
        digest = file_sha256(entry)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(mac, str) or not _HEX64.fullmatch(mac):
        return None
    expected = _sign(_message(entry, digest))
    return digest if expected is not None and hmac.compare_digest(expected, mac) else None


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


def load_code(path: Path, digest: str) -> str:
    """Kernel code that unpickles ``path`` only if its bytes still have SHA-256 ``digest``."""
    return (
        "import hashlib as _dsmagic_hashlib, pickle as _dsmagic_pickle\n"
        f"with open({str(path)!r}, 'rb') as _dsmagic_file:\n"
        "    _dsmagic_bytes = _dsmagic_file.read()\n"
        f"if _dsmagic_hashlib.sha256(_dsmagic_bytes).hexdigest() != {digest!r}:\n"
        "    raise RuntimeError('the cached result changed while it was loaded; run again')\n"
        "globals().update(_dsmagic_pickle.loads(_dsmagic_bytes))\n"
        "del _dsmagic_file, _dsmagic_pickle, _dsmagic_hashlib, _dsmagic_bytes"
    )
