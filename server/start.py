"""The entry point of `liaison` and `python -m server`: the CLI, imported with the collector off.

Importing the server creates some 300 dataclasses and their generated methods, hundreds of
thousands of objects, none of them garbage: with the cyclic collector on, Python walks them
again and again while they are made (0.07-0.18 s of each start, measured by
`scripts/bench_start.py`; most of an instance's restart is its start: docs/performance.md,
round 6). After the import they are frozen, so later collections
skip them too, as the instance does again after loading an exercise.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    try:
        from server.cli import main as run  # here, with the collector off
    finally:
        gc.freeze()
        gc.enable()
    return run()
