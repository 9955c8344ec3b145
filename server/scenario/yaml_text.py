"""YAML as a trainer writes it: the loader that reads scenario files, and hints for the slips.

PyYAML reads YAML 1.1, where an unquoted `NO` (Norway), `no`, `yes`, `on` and `off` are
booleans and `10:30` is the number 630 (base 60). In a scenario those are country ids, texts
and times of day, so the loader here reads only `true`/`false` as booleans and never reads
base-60 numbers; where a true/false is expected, `yes`/`no`/`on`/`off` are accepted as such
(`FieldReader.boolean`). Everything else is plain YAML.

`hint` turns PyYAML's error into what to change: an unquoted colon in a value, a tab used for
indenting, a missing space after `-`, ...
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class ScenarioLoader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's booleans and numbers (no yes/no, no base 60)."""


ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
for _first, _resolvers in ScenarioLoader.yaml_implicit_resolvers.items():
    _resolvers[:] = [
        (tag, regexp)
        for tag, regexp in _resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def load(text: str) -> Any:
    return yaml.load(text, Loader=ScenarioLoader)  # noqa: S506 (a SafeLoader)


def compose(text: str) -> Any:
    return yaml.compose(text, Loader=ScenarioLoader)


def hint(error: yaml.YAMLError, text: str) -> str:
    """What to change, for the YAML errors trainers meet most; "" when none fits."""
    problem = str(getattr(error, "problem", "") or "")
    mark = getattr(error, "problem_mark", None)
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""
    if "\t" in problem or "\\t" in problem or "\t" in line[: len(line) - len(line.lstrip())]:
        return "YAML indents with spaces only: replace the tab at the start of the line by spaces"
    if "mapping values are not allowed" in problem:
        key, _, value = line.partition(":")
        shown = value.strip().replace('"', '\\"')
        return (
            f'a value holds a colon followed by a space: put the value in quotes ({key.strip()}: "{shown}")'
            if value.strip()
            else "put the value in quotes if it holds a colon"
        )
    if re.match(r"^\s*-[^\s-]", line):
        return "a list item needs a space after the dash (`- id: ...`, not `-id: ...`)"
    if "found character '`'" in problem or "found character '@'" in problem:
        return "a value cannot start with ` or @: put it in quotes"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one before: items of one map or list line up"
    if re.search(r"expected ',' or '[}\]]'", problem):
        return (
            "inside { } or [ ], a comma, a colon or a ? ends the value: put a text that holds one in "
            'quotes ({question: "Who, and when?"}) or write the map on lines of its own'
        )
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return "a value starting with * or { or [ is read as YAML syntax: put it in quotes"
    return ""


def dash_hint(value: object) -> str:
    """For a key or a text that looks like a list item written without the space after `-`."""
    if isinstance(value, str) and re.match(r"^-[^\s-]", value):
        return " (a list item needs a space after the dash: `- id: ...`, not `-id: ...`)"
    return ""


def split_hint(key: object) -> str:
    """For a key that is no name but the rest of a text a comma split inside `{ }`
    (`{content: The van, its passengers)}` gives the key `its passengers)`)."""
    if isinstance(key, str) and re.search(r"[\s()'\".;!?]", key):
        return (
            " (this looks like the rest of a text: inside { }, a comma ends a value, so put the whole "
            'text in quotes: "a, b and c")'
        )
    return ""


def duplicates(node: Any) -> list[tuple[Any, Any]]:
    """(first key node, repeated key node) for every key given twice in one map, at any depth.
    YAML keeps only the last of them, silently."""
    found: list[tuple[Any, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, Any] = {}
            for key, value in current.value:
                name = str(key.value)
                if name in seen:
                    found.append((seen[name], key))
                else:
                    seen[name] = key
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda pair: (pair[1].start_mark.line, pair[1].start_mark.column))
