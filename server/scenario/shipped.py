"""The scenarios shipped with Liaison, found through `importlib.resources`.

In a checkout they are the `scenarios/` folder; in an installed wheel the same folder is the
`scenarios` package beside `server` in site-packages. Either way this is the one place that
says where they are.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_scenarios() -> Path:
    """The folder of the shipped scenario folders (an unpacked install: a real folder)."""
    return Path(str(resources.files("scenarios")))


def scenario_names(folder: Path) -> list[str]:
    """The scenario folders in `folder`: those with a scenario.yaml, by name."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "scenario.yaml").is_file())
