"""The exercise file: one exercise's whole log and meta as one versioned JSON document.

`liaison exercise export` writes it and `liaison exercise import` restores it (docs/deploy.md,
"Backups"). Events are kept as the exact bytes of the log (base64), so a restore is exact
whatever the event schema of the server that reads it; they are also decoded once on import,
so a file this server cannot read is refused before anything is written.

    {"format": "liaison-exercise", "version": 1, "exercise": id, "exported_at": unix seconds,
     "meta": {"seq": "..", "epoch": "..", "created": "..", ...},   # the meta hash, as strings
     "commands": {"<participant>/<client id>": seq, ...},           # commands already applied
     "codes": {"<join-code hash>": "<participant>", ...},           # this exercise's join codes
     "events": [[seq, "at", "<base64 of the log entry>"], ...]}     # oldest first
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from server.adapters.exercises import EXERCISE_ID
from server.adapters.store import decode_event

FORMAT = "liaison-exercise"
VERSION = 1


class ExerciseFileError(ValueError):
    """The file is not an exercise file this server can restore; the message says why."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    seq: int
    at: str
    """The append time exactly as the log holds it (Unix seconds, as text)."""
    payload: bytes


@dataclass(slots=True)
class ExerciseFile:
    exercise: str
    meta: dict[str, str]
    events: list[LogEntry]
    commands: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    exported_at: float = 0.0

    @property
    def seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "exercise": self.exercise,
            "exported_at": self.exported_at,
            "meta": self.meta,
            "commands": self.commands,
            "codes": self.codes,
            "events": [[e.seq, e.at, base64.b64encode(e.payload).decode()] for e in self.events],
        }
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> ExerciseFile:
        try:
            document = json.loads(data)
        except ValueError as error:
            raise ExerciseFileError(f"not JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ExerciseFileError(f"not an exercise file (expected format {FORMAT!r})")
        if document.get("version") != VERSION:
            raise ExerciseFileError(
                f"exercise file version {document.get('version')!r}; this server reads version {VERSION}"
            )
        exercise = document.get("exercise")
        if not isinstance(exercise, str) or not EXERCISE_ID.match(exercise):
            raise ExerciseFileError("exercise: expected an exercise id")
        meta = _mapping(document.get("meta"), "meta", str)
        commands = _mapping(document.get("commands", {}), "commands", int)
        codes = _mapping(document.get("codes", {}), "codes", str)
        events = [_entry(item, i) for i, item in enumerate(_list(document.get("events"), "events"))]
        for i, entry in enumerate(events):
            if entry.seq != (events[0].seq + i):
                raise ExerciseFileError(f"events[{i}]: seq {entry.seq} breaks the order (no gaps allowed)")
        if not events or events[0].seq != 1:
            raise ExerciseFileError("events: the log must start at seq 1")
        if meta.get("seq") != str(events[-1].seq):
            raise ExerciseFileError(f"meta.seq {meta.get('seq')!r} is not the last event's {events[-1].seq}")
        return cls(exercise, meta, events, commands, codes, float(document.get("exported_at") or 0))


def _mapping(value: Any, where: str, kind: type) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, kind) and not isinstance(v, bool) for k, v in value.items()
    ):
        raise ExerciseFileError(f"{where}: expected a map of strings to {kind.__name__}")
    return dict(value)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ExerciseFileError(f"{where}: expected a list")
    return value


def _entry(item: Any, i: int) -> LogEntry:
    if not (
        isinstance(item, list)
        and len(item) == 3
        and isinstance(item[0], int)
        and isinstance(item[1], str)
        and isinstance(item[2], str)
    ):
        raise ExerciseFileError(f"events[{i}]: expected [seq, at, base64]")
    try:
        payload = base64.b64decode(item[2], validate=True)
        float(item[1])
    except (binascii.Error, ValueError):
        raise ExerciseFileError(f"events[{i}]: bad time or base64") from None
    try:
        decode_event(payload)
    except Exception as error:  # whatever the decoder raises on a foreign payload
        raise ExerciseFileError(
            f"events[{i}] (seq {item[0]}): not an event this server reads: {error}"
        ) from None
    return LogEntry(item[0], item[1], payload)
