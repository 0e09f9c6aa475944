"""Shards: one run makes only its share of a batch, so that a job engine's array of tasks
(Kubernetes Indexed Job, Slurm job array, AWS Batch array job, Cloud Run job) makes a large
batch together, each task into one shared folder, each with its own manifest
(``manifest-<I>-of-<N>.csv``). ``make-brief mail`` then reads them all.

An item belongs to shard ``sha256(identity) mod N``, its identity being the offer file's path
relative to the argument it was found under, or a table's name, row number and candidate name:
so the split is the same on every run and machine, and does not depend on the order in which
the inputs were given. Writing a brief twice (an engine may run an index twice) is safe: each
write is atomic, and the bytes are the same.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from ..errors import SettingError

COUNT_ENV = "MAKE_BRIEF_SHARDS"
# (the index's variable, the variable subtracted from it, the count's variable) per engine
ENGINES = (
    ("JOB_COMPLETION_INDEX", None, None),  # Kubernetes Indexed Job
    ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"),
    ("AWS_BATCH_JOB_ARRAY_INDEX", None, None),
    ("CLOUD_RUN_TASK_INDEX", None, "CLOUD_RUN_TASK_COUNT"),
)
MAX_SHARDS = 100_000

Shard = tuple[int, int]  # (index, count), the index 0-based


def shard_of(identity: str, count: int) -> int:
    return (
        int.from_bytes(hashlib.sha256(identity.encode("utf-8", "surrogateescape")).digest()[:8], "big")
        % count
    )


def parse(text: str, env: Mapping[str, str] | None = None) -> Shard:
    """`I/N`, `auto` or `auto/N` as (index, count); a SettingError naming what is wrong."""
    env = os.environ if env is None else env
    given = text.strip().lower()
    head, _, tail = given.partition("/")
    count = _number(tail, f"--shard {text}: the count") if tail else None
    if head == "auto":
        index, count = _from_engine(env, count, text)
    else:
        if count is None:
            raise SettingError(f"--shard {text}: write I/N (shard I of N, from 0), auto or auto/N")
        index = _number(head, f"--shard {text}: the index")
    if not 1 <= count <= MAX_SHARDS:
        raise SettingError(f"--shard {text}: the count must be 1 to {MAX_SHARDS:,}")
    if not 0 <= index < count:
        raise SettingError(
            f"--shard {text}: the index {index} is out of range for {count} shards (0 to {count - 1})"
        )
    return index, count


def _from_engine(env: Mapping[str, str], count: int | None, text: str) -> Shard:
    for index_var, base_var, count_var in ENGINES:
        if index_var not in env:
            continue
        index = _number(env[index_var], f"--shard {text}: ${index_var}")
        if base_var is not None and base_var in env:
            index -= _number(env[base_var], f"--shard {text}: ${base_var}")
        found = (
            _number(env[count_var], f"--shard {text}: ${count_var}")
            if count_var and count_var in env
            else None
        )
        if found is not None and count is not None and found != count:
            raise SettingError(f"--shard {text}: ${count_var} says {found} shards, not {count}")
        total = count or found or (_number(env[COUNT_ENV], f"${COUNT_ENV}") if env.get(COUNT_ENV) else None)
        if total is None:
            raise SettingError(
                f"--shard {text}: ${index_var} gives the index but nothing gives the count",
                hint=f"write --shard auto/N, or set ${COUNT_ENV}",
            )
        if not 0 <= index < total:
            raise SettingError(
                f"--shard {text}: the index {index} from ${index_var} is out of range for {total} shards"
            )
        return index, total
    names = ", ".join(f"${e[0]}" for e in ENGINES)
    raise SettingError(f"--shard {text}: no job engine's index is set ({names})", hint="or write --shard I/N")


def _number(text: str, what: str) -> int:
    text = text.strip()
    if not text.isdigit() or len(text) > 9:
        raise SettingError(f"{what} is {text!r}, not a whole number")
    return int(text)
