"""The files of a scenario: YAML with the line of every value, includes, Markdown beside it.

A scenario folder holds `scenario.yaml`; it may list `include: [countries.yaml, ...]`, each a
map whose top-level sections are merged in. Long texts live in files named by `*_file` keys
(`body_file: injects/I-02.md`). Every value is indexed by its path (`injects[12].trigger`)
with the file, line and column it came from, so a problem can say where it is.

A file that is not valid YAML is one root cause: its error is reported with a hint
(`server.scenario.yaml_text`), the file is remembered as `broken`, and the loader then leaves
out what depends on it (missing sections, references to ids it may define, the cross-checks),
instead of a hundred follow-ups.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from server.scenario import yaml_text
from server.scenario.errors import Problem

_PARENT = re.compile(r"(\.[^.\[]+|\[\d+\])$")


def suggestion(value: object, known: Iterable[str]) -> str:
    """ " (did you mean 'EIO'?)" when a known name is close to `value`, else ""."""
    close = difflib.get_close_matches(str(value), sorted(str(name) for name in known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Source:
    """The merged data of a scenario's files, their lines, and the problems found so far."""

    def __init__(self, main: str, text: str, folder: Path | None) -> None:
        self.main = main
        self.folder = folder
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        """What is allowed but probably a mistake (scene directions in a trainee's text)."""
        self.lines: dict[str, tuple[str, int]] = {}
        self.columns: dict[str, int] = {}
        """The column of each path's value (1 for the first), beside its line."""
        self.missing: set[str] = set()
        """Paths reported missing: nothing more is said about them."""
        self.broken: list[str] = []
        """Files that are not valid YAML: what they define is unknown."""
        self.data: dict[str, Any] = {}
        data = self._read(main, text, "")
        if data is None:
            return
        if not isinstance(data, dict):
            self.problems.append(Problem(main, 1, "", "a scenario is a map of sections (id, title, ...)"))
            return
        self._merge(main, data)
        includes = data.get("include", [])
        if not isinstance(includes, list) or not all(isinstance(name, str) for name in includes):
            self.problem("include", "expected a list of file names")
            return
        for i, name in enumerate(includes):
            self._include(name, f"include[{i}]")

    def _read(self, file: str, text: str, prefix: str) -> Any:
        try:
            node = yaml_text.compose(text)
            data = yaml_text.load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            column = mark.column + 1 if mark is not None else None
            problem = getattr(error, "problem", None) or str(error)
            found = yaml_text.hint(error, text)
            message = f"not valid YAML: {problem}" + (f"; {found}" if found else "")
            self.problems.append(Problem(file, line, prefix, message, column))
            self.broken.append(file)
            return None
        for first, again in yaml_text.duplicates(node):
            self.problems.append(
                Problem(
                    file,
                    again.start_mark.line + 1,
                    "",
                    f"duplicate key {again.value!r} (also on line {first.start_mark.line + 1}): YAML "
                    "keeps only the last one, silently; remove one or rename it",
                    again.start_mark.column + 1,
                )
            )
        self._index(file, node, prefix)
        return data

    def _index(self, file: str, node: Any, path: str) -> None:
        if node is None:
            return
        self.lines.setdefault(path, (file, node.start_mark.line + 1))
        self.columns.setdefault(path, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines.setdefault(
                    f"{path}.{key.value}" if path else str(key.value), (file, key.start_mark.line + 1)
                )
                self.columns.setdefault(
                    f"{path}.{key.value}" if path else str(key.value), key.start_mark.column + 1
                )
                self._index(file, value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(file, item, f"{path}[{i}]")

    def _merge(self, file: str, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key in self.data and key != "include":
                where = self.lines.get(str(key), (file, None))
                self.problems.append(
                    Problem(file, None, str(key), f"section {key!r} is defined twice (also in {where[0]})")
                )
                continue
            self.data[key] = value

    def _include(self, name: str, path: str) -> None:
        if self.folder is None:
            self.problem(path, f"cannot include {name!r}: this scenario has no folder")
            return
        file = self.folder / name
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            self.problem(path, f"cannot read included file {name!r}: {error.strerror}")
            return
        known, known_columns = dict(self.lines), dict(self.columns)
        self.lines, self.columns = {}, {}
        data = self._read(str(file), text, "")
        included, self.lines = self.lines, known
        included_columns, self.columns = self.columns, known_columns
        if data is None:
            return
        if not isinstance(data, dict):
            self.problems.append(Problem(str(file), 1, "", "an included file is a map of sections"))
            return
        for key in data:
            if key in self.data:
                first = self.lines.get(str(key), ("?", 0))[0]
                line = included.get(str(key), (str(file), None))[1]
                self.problems.append(
                    Problem(str(file), line, str(key), f"section {key!r} is defined twice (also in {first})")
                )
        fresh = {k: v for k, v in data.items() if k not in self.data}
        for found, where in included.items():
            section = re.split(r"[.\[]", found, maxsplit=1)[0]
            if section in fresh:
                self.lines.setdefault(found, where)
                if found in included_columns:
                    self.columns.setdefault(found, included_columns[found])
        self.data.update(fresh)

    def read_text(self, name: str, path: str) -> str | None:
        """The text of a file beside the scenario (a `*_file` value)."""
        if self.folder is None:
            self.problem(path, f"cannot read {name!r}: this scenario has no folder")
            return None
        try:
            return (self.folder / name).read_text(encoding="utf-8").strip()
        except OSError as error:
            self.problem(path, f"cannot read {name!r}: {error.strerror}")
            return None

    def where(self, path: str) -> tuple[str, int | None]:
        """The file and line of `path`, or of the nearest part of it that exists."""
        nearest = path
        while nearest not in self.lines and nearest:
            parent = _PARENT.sub("", nearest)
            nearest = parent if parent != nearest else ""
        if nearest in self.lines:
            return self.lines[nearest]
        return self.main, None

    def column(self, path: str) -> int | None:
        """The column of `path` itself, when it is in the files (not of a part of it)."""
        return self.columns.get(path) if path in self.lines else None

    def problem(self, path: str, message: str) -> None:
        if path in self.missing:
            return  # "missing 'from'" said it: not also "expected a non-empty text" there
        if message.startswith("missing "):
            self.missing.add(path)
        file, line = self.where(path)
        self.problems.append(Problem(file, line, path, message, self.column(path)))

    def warn(self, path: str, message: str) -> None:
        file, line = self.where(path)
        self.warnings.append(Problem(file, line, path, message, self.column(path)))
