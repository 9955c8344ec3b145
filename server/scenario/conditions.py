"""Reading the condition language: the parts of triggers, SimCell rules and injects that go
beyond the first forms (counts, spans, request tests, characters, per-team scope, audiences at
release, effects, and the calendar of each country), with trainer-readable errors."""

from __future__ import annotations

import re
from typing import Any

from server.core.calendar import WEEKDAYS
from server.core.facts import MAX_COUNT
from server.core.scenario import (
    ArtefactCondition,
    CharacterTest,
    Effect,
    FieldTest,
    OfficeCalendar,
    Recipients,
    RequestTest,
    TeamsAtRelease,
    Trigger,
    TriggerKind,
)
from server.core.simtime import HOUR, MINUTE
from server.scenario.fields import FieldReader
from server.scenario.source import suggestion

_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY = re.compile(r"^D(\d+)$")
FIELD_TEST_KEYS = {"field", "equals", "includes_any", "contains", "min_length"}
CHARACTER_KEYS = {"id", "trust_below", "trust_at_least", "status", "safety", "location"}
EFFECT_KEYS = {"artefact", "state", "character", "trust", "status", "safety", "location", "note"}


class ConditionReader(FieldReader):
    def field_tests(self, value: Any, path: str) -> tuple[FieldTest, ...]:
        """`fields: [{field: measures, includes_any: [search]}, {field: facts, contains: SeaCrew}]`."""
        if value is None:
            return ()
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            self.problem(path, "expected a list of field tests like {field: facts, contains: SeaCrew}")
            return ()
        tests = []
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            raw = self.map(item, where, FIELD_TEST_KEYS, {"field"})
            if raw is None:
                continue
            if len(raw.keys() & (FIELD_TEST_KEYS - {"field"})) == 0:
                self.problem(
                    where,
                    "a field test says what the field must hold: equals, includes_any, contains "
                    "or min_length (for example {field: measures, includes_any: [search]})",
                )
            equals = raw.get("equals")
            tests.append(
                self.at(
                    FieldTest(
                        field=str(raw.get("field")),
                        equals=None
                        if equals is None
                        else str(equals).lower()
                        if isinstance(equals, bool)
                        else str(equals),
                        includes_any=frozenset(
                            self.strings(raw.get("includes_any"), f"{where}.includes_any")
                        ),
                        contains=None
                        if raw.get("contains") is None
                        else self.text(raw.get("contains"), f"{where}.contains"),
                        min_length=None
                        if "min_length" not in raw
                        else self.integer(raw["min_length"], f"{where}.min_length", 0),
                    ),
                    where,
                )
            )
        return tuple(tests)

    def request_test(self, raw: dict[str, Any], where: str) -> RequestTest | None:
        """The tests of a request trigger besides instrument, from, to and state."""
        if not raw.keys() & {"fields", "answer_contains", "ground", "urgent"}:
            return None
        return RequestTest(
            fields=self.field_tests(raw.get("fields"), f"{where}.fields"),
            answer_contains=None
            if raw.get("answer_contains") is None
            else self.text(raw.get("answer_contains"), f"{where}.answer_contains"),
            ground=None if raw.get("ground") is None else str(raw.get("ground")),
            urgent=None
            if raw.get("urgent") is None
            else self.boolean(raw.get("urgent"), f"{where}.urgent", False),
        )

    def action_trigger(self, body: Any, where: str, delay: Any) -> Trigger:
        raw = self.map(body, where, {"action", "team", "subject", "count", "apart"}, {"action"}) or {}
        self.ref(f"{where}.action", "action", raw.get("action"))
        self.ref(f"{where}.team", "party", raw.get("team"))
        if "count" in raw and "apart" in raw:
            self.problem(
                where,
                "an action trigger waits for a count or for a span, not both: write two and "
                "join them with all_of",
            )
        apart = None
        if "apart" in raw:
            span = self.delay(raw.get("apart"), f"{where}.apart")
            if span is None or span.anchor is not None or span.seconds <= 0:
                if span is not None:
                    self.problem(f"{where}.apart", "a span is a duration such as PT60M, not a time of day")
            else:
                apart = span.seconds
        subject = raw.get("subject")
        return Trigger(
            TriggerKind.ACTION,
            action=raw.get("action"),
            team=raw.get("team"),
            subject=None if subject is None else self.text(subject, f"{where}.subject"),
            count=self.integer(raw.get("count"), f"{where}.count", 1, 1, MAX_COUNT),
            apart=apart,
            delay=delay,
        )

    def character_trigger(self, body: Any, where: str, delay: Any) -> Trigger:
        raw = self.map(body, where, CHARACTER_KEYS, {"id"}) or {}
        self.ref(f"{where}.id", "character", raw.get("id"))
        if raw and not raw.keys() & (CHARACTER_KEYS - {"id"}):
            self.problem(
                where,
                "say what the character's state must be: trust_below, trust_at_least, status, "
                "safety or location (for example {id: CH-ION, trust_below: 3})",
            )
        low, high = raw.get("trust_at_least"), raw.get("trust_below")
        test = CharacterTest(
            character=str(raw.get("id")),
            trust_below=None if high is None else self.integer(high, f"{where}.trust_below", 0, 1, 10),
            trust_at_least=None if low is None else self.integer(low, f"{where}.trust_at_least", 0, 0, 10),
            status=None if raw.get("status") is None else str(raw.get("status")),
            safety=None if raw.get("safety") is None else str(raw.get("safety")),
            location=None if raw.get("location") is None else str(raw.get("location")),
        )
        below, least = test.trust_below, test.trust_at_least
        if below is not None and least is not None and least >= below:
            self.problem(
                where,
                f"trust can never be at least {low} and below {high}: "
                "the lower bound must be smaller than the upper",
            )
        return Trigger(TriggerKind.CHARACTER, character=test, delay=delay)

    def to_teams(self, value: Any, path: str) -> TeamsAtRelease | None:
        """`{holding: A-X}`, `{requested: {instrument: MLA, to: NOR}}` or `{refused: {instrument: MLA}}`."""
        if value is None:
            return None
        kinds = {k.value for k in Recipients}
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in kinds:
            got = ", ".join(map(str, value)) if isinstance(value, dict) else repr(value)
            hint = suggestion(next(iter(value)), kinds) if isinstance(value, dict) and len(value) == 1 else ""
            self.problem(
                path,
                f"to_teams has one of {', '.join(sorted(kinds))}, got {got}{hint}; for example "
                "{holding: A-LEDGER} or {refused: {instrument: MLA, to: NOR}}",
            )
            return None
        ((key, body),) = value.items()
        kind = Recipients(key)
        where = f"{path}.{key}"
        if kind is Recipients.HOLDING:
            self.ref(where, "artefact", str(body))
            return TeamsAtRelease(kind, artefact=str(body))
        raw = self.map(body, where, {"instrument", "to", "state"}, {"instrument"}) or {}
        self.ref(f"{where}.instrument", "instrument", raw.get("instrument"))
        self.ref(f"{where}.to", "receiver", raw.get("to"))
        request = Trigger(
            TriggerKind.REQUEST,
            instrument=raw.get("instrument"),
            target=raw.get("to"),
            state=None if raw.get("state") is None else str(raw.get("state")),
        )
        if kind is Recipients.REFUSED and "state" in raw:
            self.problem(f"{where}.state", "refused: the teams whose request was refused; leave out state")
        return TeamsAtRelease(kind, request=request)

    def effects(self, value: Any, path: str) -> tuple[Effect, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, "expected a list of effects like {artefact: A-LAPTOP, state: destroyed}")
            return ()
        found = []
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            raw = self.map(item, where, EFFECT_KEYS, set())
            if raw is None:
                continue
            artefact, character = raw.get("artefact"), raw.get("character")
            if (artefact is None) == (character is None):
                self.problem(
                    where, "an effect changes one artefact or one character: give artefact or character"
                )
                continue
            if artefact is not None:
                self.ref(f"{where}.artefact", "artefact", str(artefact))
                for key in sorted(raw.keys() & {"trust", "status", "safety"}):
                    self.problem(
                        f"{where}.{key}", f"{key} is a character's; an artefact has a state and a location"
                    )
                if "state" not in raw and "location" not in raw:
                    self.problem(
                        where,
                        "say what happens to the artefact: state (degraded, destroyed, moved) or location",
                    )
            else:
                self.ref(f"{where}.character", "character", str(character))
                if "state" in raw:
                    self.problem(
                        f"{where}.state",
                        "a character has trust, status, safety and location, not a state",
                    )
            condition = None
            if "state" in raw and artefact is not None:
                condition = self.enum(raw.get("state"), f"{where}.state", ArtefactCondition)
            elif artefact is not None:
                condition = ArtefactCondition.MOVED
            found.append(
                self.at(
                    Effect(
                        artefact=None if artefact is None else str(artefact),
                        condition=condition,
                        character=None if character is None else str(character),
                        trust=self.integer(raw.get("trust"), f"{where}.trust", 0, -10, 10),
                        status=None if raw.get("status") is None else str(raw.get("status")),
                        safety=None if raw.get("safety") is None else str(raw.get("safety")),
                        location=None if raw.get("location") is None else str(raw.get("location")),
                        note=self.text(raw.get("note"), f"{where}.note", required=False),
                    ),
                    where,
                )
            )
        return tuple(found)

    def calendar(self, value: Any, path: str) -> OfficeCalendar | None:
        """`calendar: {opens: "08:00", closes: "16:00", workdays: [monday, ...], holidays: [D3]}`."""
        if value is None:
            return None
        raw = self.map(value, path, {"opens", "closes", "workdays", "holidays"}, set())
        if raw is None:
            return None
        opens = self.time_of_day(raw.get("opens", "08:00"), f"{path}.opens", 8 * HOUR)
        closes = self.time_of_day(raw.get("closes", "17:00"), f"{path}.closes", 17 * HOUR)
        if closes <= opens:
            self.problem(f"{path}.closes", "offices close after they open (within one day)")
        workdays = {0, 1, 2, 3, 4}
        if "workdays" in raw:
            workdays = set()
            for i, day in enumerate(self.strings(raw.get("workdays"), f"{path}.workdays")):
                if day.lower() in WEEKDAYS:
                    workdays.add(WEEKDAYS.index(day.lower()))
                else:
                    self.problem(
                        f"{path}.workdays[{i}]",
                        f"expected a weekday (monday ... sunday), got {day!r}"
                        f"{suggestion(day.lower(), WEEKDAYS)}",
                    )
        holidays = set()
        for i, day in enumerate(self.strings(raw.get("holidays"), f"{path}.holidays")):
            match = _DAY.match(day.strip())
            if match is None or int(match[1]) < 1:
                self.problem(f"{path}.holidays[{i}]", f"a holiday is a simulated day such as D3, got {day!r}")
            else:
                holidays.add(int(match[1]))
        return OfficeCalendar(opens, closes, frozenset(workdays), frozenset(holidays))

    def weekday(self, value: Any, path: str) -> int:
        if value is None:
            return 0
        day = str(value).lower()
        if day not in WEEKDAYS:
            self.problem(
                path, f"expected a weekday (monday ... sunday), got {value!r}{suggestion(day, WEEKDAYS)}"
            )
            return 0
        return WEEKDAYS.index(day)

    def time_of_day(self, value: Any, path: str, default: int) -> int:
        match = _TIME_OF_DAY.match(str(value))
        if match is None or int(match[1]) > 24 or int(match[2]) > 59:
            self.problem(path, f"expected a time of day like '08:30', got {value!r}")
            return default
        return int(match[1]) * HOUR + int(match[2]) * MINUTE
