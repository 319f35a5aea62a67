"""How many CPUs this process may run on: whether a helper process gets a core of its own."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1
