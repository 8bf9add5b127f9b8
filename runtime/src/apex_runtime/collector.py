"""The garbage collector, tuned once a process has started (every APEX process does this).

What a process built while starting (modules, models, schemas, pools, routes) lives as long as
the process, yet every full collection scanned it again. Measured under `bench/e2e.py`: the
gateway ran a full collection every ~2 s, each 70-110 ms for nothing found, and each one a
pause that every request in flight waited out; those pauses were the benchmark's p99. Frozen,
those objects are left out of every collection (a full one now takes 1-4 ms).

Young objects are collected less often too: a request or a rendered page allocates many
short-lived objects, nearly all freed by reference counting before a collection could find
them (the gateway's collections went from ~530 ms to ~60 ms of CPU per 10,000 projects).
"""

import gc

THRESHOLDS = (10_000, 20, 20)  # gen0 allocations; gen1 and gen2 in collections of the one below


def freeze_startup_heap() -> None:
    """Call once start-up is done: collect what start-up left behind, freeze the rest.

    Calling it again later (document-service, once WeasyPrint has loaded its fonts and
    styles on the first render) freezes what was built since."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
