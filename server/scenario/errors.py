"""Errors in scenario and roster files, each naming the file, line and path of the mistake."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str
    column: int | None = None
    """1 for the first character of the line; None when only the line is known."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """One or more problems in a scenario or roster; all of them, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems
