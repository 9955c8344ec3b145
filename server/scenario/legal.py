"""Reading legal rules (`legal_rules`), treaty requirements, local time offsets and scheduled
clock jumps (`clock.jumps`, `clock.overnight`); their cross-checks are in `legal_checks`."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from server.core.scenario import FieldMatch, LegalEffect, LegalRule, ScheduledJump
from server.core.simtime import DAY, HOUR, MINUTE, format_sim_time, next_morning
from server.scenario.conditions import ConditionReader

_OFFSET = re.compile(r"^([+-])(\d{1,2}):(\d{2})$")
WHEN_KEYS = {"source_country", "target_country", "fields", "target_profile", "treaty_missing"}
OVERNIGHT_DAYS = 14
"""How many simulated days `clock.overnight` covers when the clock has no `end`."""


class LegalReader(ConditionReader):
    def legal_rule(self, value: Any, path: str) -> LegalRule | None:
        keys = {"id", "instrument", "instruments", "when", "effect", "ground"}
        data = self.map(value, path, keys, {"id", "effect", "ground"})
        if data is None:
            return None
        if "instrument" in data and "instruments" in data:
            self.problem(f"{path}.instruments", "give instrument (one) or instruments (a list), not both")
        instruments = (
            (str(data["instrument"]),)
            if "instrument" in data
            else self.strings(data.get("instruments"), f"{path}.instruments")
        )
        for i, instrument in enumerate(instruments):
            where = f"{path}.instrument" if "instrument" in data else f"{path}.instruments[{i}]"
            self.ref(where, "instrument", instrument)
        when = self.map(data.get("when", {}), f"{path}.when", WHEN_KEYS, set()) or {}
        sources = self._countries(when, "source_country", f"{path}.when")
        targets = self._countries(when, "target_country", f"{path}.when")
        matches = []
        raw_fields = when.get("fields", {})
        if not isinstance(raw_fields, dict):
            self.problem(f"{path}.when.fields", "expected a map of field: value (or a list of values)")
            raw_fields = {}
        for key, wanted in raw_fields.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            matches.append(FieldMatch(str(key), tuple(_plain(v) for v in values)))
        profile = []
        raw_profile = when.get("target_profile", {})
        if not isinstance(raw_profile, dict):
            self.problem(f"{path}.when.target_profile", "expected a map of legal_profile entry: value")
            raw_profile = {}
        for key, wanted in raw_profile.items():  # the entries are checked by `legal_checks`
            profile.append((str(key), _plain(wanted)))
        treaties = self.strings(when.get("treaty_missing"), f"{path}.when.treaty_missing")
        if isinstance(when.get("treaty_missing"), str):
            treaties = (when["treaty_missing"],)
        for i, treaty in enumerate(treaties):
            self.ref(f"{path}.when.treaty_missing[{i}]", "treaty", treaty)
        return self.at(
            LegalRule(
                id=self.identifier(data.get("id"), f"{path}.id"),
                effect=self.enum(data.get("effect"), f"{path}.effect", LegalEffect),
                ground=self.text(data.get("ground"), f"{path}.ground"),
                instruments=frozenset(instruments),
                source_countries=sources,
                target_countries=targets,
                fields=tuple(matches),
                missing_treaties=frozenset(treaties),
                target_profile=tuple(profile),
            ),
            path,
        )

    def _countries(self, when: dict[str, Any], key: str, path: str) -> frozenset[str]:
        value = when.get(key)
        ids = (str(value),) if isinstance(value, str) else self.strings(value, f"{path}.{key}")
        for i, country in enumerate(ids):
            self.ref(f"{path}.{key}" if isinstance(value, str) else f"{path}.{key}[{i}]", "country", country)
        return frozenset(ids)

    def time_offset(self, value: Any, path: str) -> int:
        """`time_offset: "+02:00"`: local time minus exercise time, at most 14 hours either way."""
        if value is None:
            return 0
        match = _OFFSET.match(str(value).strip())
        if match is None or int(match[3]) > 59 or int(match[2]) * HOUR + int(match[3]) * MINUTE > 14 * HOUR:
            self.problem(
                path,
                f"expected an offset from exercise time like '+02:00' or '-05:30' (quote it), got {value!r}",
            )
            return 0
        seconds = int(match[2]) * HOUR + int(match[3]) * MINUTE
        return -seconds if match[1] == "-" else seconds

    def clock_jumps(
        self, data: dict[str, Any], start: int, end: int | None, morning: int
    ) -> tuple[ScheduledJump, ...]:
        """`clock.jumps: [{at: "D1 18:00", to: "D2 08:30" | morning, reason}]` and the shorthand
        `clock.overnight: "18:00"` (or `{at: "18:00", reason: ...}`): every evening to the next
        morning, from STARTEX's day to ENDEX's."""
        jumps: list[ScheduledJump] = []
        for i, item in enumerate(self.seq(data, "jumps", "clock.jumps")):
            where = f"clock.jumps[{i}]"
            raw = self.map(item, where, {"id", "at", "to", "reason"}, {"at"})
            if raw is None:
                continue
            at = self.sim_time(raw.get("at"), f"{where}.at")
            if at is None:
                continue
            to_text = str(raw.get("to", "morning"))
            to = (
                next_morning(at, morning)
                if to_text in ("morning", "next_morning")
                else self.sim_time(to_text, f"{where}.to")
            )
            if to is None:
                continue
            if to <= at:
                self.problem(
                    f"{where}.to", f"a jump goes forward: {to_text!r} is not after {raw.get('at')!r}"
                )
                continue
            jump_id = self.identifier(raw["id"], f"{where}.id") if "id" in raw else f"jump-{i + 1}"
            reason = self.text(raw.get("reason"), f"{where}.reason", required=False) or "scheduled"
            jumps.append(self.at(ScheduledJump(jump_id, at, int(to), reason), where))
        overnight = data.get("overnight")
        if overnight is not None:
            raw = overnight if isinstance(overnight, dict) else {"at": overnight}
            known = self.map(raw, "clock.overnight", {"at", "reason"}, {"at"})
            at_day = self.time_of_day(raw.get("at"), "clock.overnight.at", 18 * HOUR) if known else 18 * HOUR
            if known is not None and at_day <= morning:
                self.problem(
                    "clock.overnight.at",
                    "the overnight jump is in the evening: after the morning it lands on",
                )
            reason = self.text(raw.get("reason"), "clock.overnight.reason", required=False) or "overnight"
            last = (end // DAY) if end is not None else start // DAY + OVERNIGHT_DAYS
            for day in range(start // DAY, last + 1):
                at = day * DAY + at_day
                if at >= start and (end is None or at < end):
                    jump = ScheduledJump(f"overnight-D{day + 1}", at, next_morning(at, morning), reason)
                    jumps.append(self.at(jump, "clock.overnight"))
        jumps.sort(key=lambda jump: jump.at)
        for before, after in pairwise(jumps):
            if after.at < before.to:
                where = self.paths.get(id(after), "clock.jumps")
                self.problem(
                    where,
                    f"jump {after.id!r} at {_fmt(after.at)} falls inside jump {before.id!r} "
                    f"({_fmt(before.at)} to {_fmt(before.to)}): the clock never shows that time",
                )
        for jump in jumps:
            if jump.at < start or (end is not None and jump.at >= end):
                self.problem(
                    self.paths.get(id(jump), "clock.overnight"),
                    f"jump {jump.id!r} at {_fmt(jump.at)} is outside the exercise (STARTEX to ENDEX)",
                )
        seen: set[str] = set()
        for jump in jumps:
            if jump.id in seen:
                self.problem(self.paths.get(id(jump), "clock.jumps"), f"duplicate jump id {jump.id!r}")
            seen.add(jump.id)
        return tuple(jumps)


def _fmt(seconds: int) -> str:
    return format_sim_time(seconds)


def _plain(value: Any) -> str:
    """A rule value as compared: booleans as true/false, the rest as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
