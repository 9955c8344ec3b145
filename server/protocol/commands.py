"""From a `cmd` frame's name and args to a core command, with errors that say which arg.

Each command name maps to a `CommandSpec`: how to build the core command from args, and
what the reply's `result` holds. Wrong or missing args raise `ArgumentError`, answered
with the `invalid_args` code and a message such as "args.speed: expected a number".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from server.core import commands as c
from server.core.audience import Audience
from server.core.events import CredentialIssued, Event, ParticipantAdded
from server.core.simtime import parse_sim_time


class ArgumentError(ValueError):
    """A command's args are missing or of the wrong type."""


@dataclass(frozen=True, slots=True)
class NewCode:
    """A freshly generated join code and its stored hash, for commands that issue one."""

    code: str
    hash: str


Build = Callable[[dict[str, Any], NewCode], c.Command]
Result = Callable[[Sequence[Event], NewCode], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    build: Build
    result: Result
    summary: str
    issues_code: bool = False
    """The command hands out a new join code (its hash must be indexed first)."""


def _no_result(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    return {}


def _issued_code(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    for event in events:
        if isinstance(event, ParticipantAdded | CredentialIssued):
            return {"participant": event.participant, "code": code.code}
    return {}  # pragma: no cover - both commands always yield such an event


def _string(args: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = args.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"args.{key}: expected a string")
    return value


def _required(args: dict[str, Any], key: str) -> str:
    value = _string(args, key)
    assert value is not None
    return value


def _number(args: dict[str, Any], key: str) -> float:
    value = args.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ArgumentError(f"args.{key}: expected a number")
    return float(value)


def _strings(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArgumentError(f"args.audience.{key}: expected a list of strings")
    return value


def _jump(args: dict[str, Any], code: NewCode) -> c.JumpClock:
    to = args.get("to")
    if to is None:
        return c.JumpClock(None)
    if isinstance(to, str):
        try:
            return c.JumpClock(float(parse_sim_time(to)))
        except ValueError as error:
            raise ArgumentError(f"args.to: {error}") from None
    return c.JumpClock(_number(args, "to"))


def _announcement(args: dict[str, Any], code: NewCode) -> c.MakeAnnouncement:
    raw = args.get("audience")
    if not isinstance(raw, dict):
        raise ArgumentError("args.audience: expected a map {everyone, teams, roles, participants}")
    everyone = raw.get("everyone", False)
    if not isinstance(everyone, bool):
        raise ArgumentError("args.audience.everyone: expected true or false")
    audience = Audience.of(
        everyone=everyone,
        teams=_strings(raw.get("teams"), "teams"),
        roles=_strings(raw.get("roles"), "roles"),
        participants=_strings(raw.get("participants"), "participants"),
    )
    return c.MakeAnnouncement(audience, _required(args, "text"))


def _roster_add(args: dict[str, Any], code: NewCode) -> c.AddParticipant:
    entry = c.RosterEntry(
        name=_required(args, "name"),
        team=_string(args, "team", optional=True),
        role=_required(args, "role"),
        code_hash=code.hash,
    )
    return c.AddParticipant(entry)


COMMANDS: dict[str, CommandSpec] = {
    "exercise.ready": CommandSpec(lambda a, k: c.MarkReady(), _no_result, "draft → ready"),
    "exercise.start": CommandSpec(lambda a, k: c.StartExercise(), _no_result, "ready → running"),
    "exercise.pause": CommandSpec(lambda a, k: c.PauseExercise(), _no_result, "running → paused"),
    "exercise.resume": CommandSpec(lambda a, k: c.ResumeExercise(), _no_result, "paused → running"),
    "exercise.end": CommandSpec(lambda a, k: c.EndExercise(), _no_result, "→ ended (director)"),
    "clock.speed": CommandSpec(
        lambda a, k: c.SetClockSpeed(_number(a, "speed")), _no_result, "set the speed factor"
    ),
    "clock.jump": CommandSpec(_jump, _no_result, "jump forward (to, or next morning)"),
    "roster.add": CommandSpec(_roster_add, _issued_code, "add a participant", issues_code=True),
    "credential.revoke": CommandSpec(
        lambda a, k: c.RevokeCredential(_required(a, "participant")),
        _no_result,
        "revoke a join code",
    ),
    "credential.reissue": CommandSpec(
        lambda a, k: c.ReissueCredential(_required(a, "participant"), k.hash),
        _issued_code,
        "issue a new join code (the old one stops working)",
        issues_code=True,
    ),
    "message.post": CommandSpec(
        lambda a, k: c.PostMessage(_required(a, "text")), _no_result, "post to the team channel"
    ),
    "announcement.make": CommandSpec(_announcement, _no_result, "announce to an audience"),
}
