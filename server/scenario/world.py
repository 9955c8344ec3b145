"""Reading the world of a scenario: clock, countries and agencies, roles, staff settings,
actions, instruments, entities, artefacts, joint teams and characters."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from server.core.roles import STAFF_ROLES
from server.core.scenario import (
    CONSENT_SIDES,
    CONSENT_USES,
    DEADLINE_RECEIVERS,
    DEFAULT_LIFECYCLE,
    PROFILE_ENTRIES,
    SIDES,
    Action,
    Agency,
    Artefact,
    Character,
    CharacterState,
    ClockSpec,
    Consent,
    Country,
    Deadline,
    Delay,
    Disclosure,
    Discovery,
    Entity,
    EvidentialStatus,
    Field,
    Instrument,
    JointTeam,
    LegalProfile,
    PairOverride,
    Reaction,
    RequiredIf,
    Role,
    RouteRole,
    Scope,
    Seat,
    StaffSetting,
    TeamModel,
    Unit,
    Visibility,
)
from server.core.simtime import HOUR, MINUTE
from server.scenario.legal import LegalReader
from server.scenario.source import suggestion

_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")
FIELD_TYPES = frozenset({"text", "bool", "number", "date", "enum", "multiselect", "entities", "agency"})
VERBS = frozenset({"issue", "draft", "validate", "receive", "answer", "act"})


class WorldReader(LegalReader):
    def clock(self, value: Any) -> ClockSpec:
        data = self.map(
            value, "clock", {"start", "morning", "speed", "end", "d1_weekday", "jumps", "overnight"}, set()
        )
        if data is None:
            return ClockSpec(0, 0)
        start = self.sim_time(data.get("start", "D1 08:30"), "clock.start")
        morning = 8 * HOUR + 30 * MINUTE
        match = _TIME_OF_DAY.match(str(data.get("morning", "08:30")))
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.problem("clock.morning", f"expected a time of day like '08:30', got {data.get('morning')!r}")
        else:
            morning = int(match[1]) * HOUR + int(match[2]) * MINUTE
        speed = data.get("speed", 1)
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 < speed <= 120:
            self.problem("clock.speed", f"expected a number above 0 and at most 120, got {speed!r}")
            speed = 1.0
        end = self.sim_time(data.get("end"), "clock.end")
        start = 8 * HOUR + 30 * MINUTE if start is None else start
        if end is not None and end <= start:
            self.problem("clock.end", "ENDEX must come after STARTEX")
        weekday = self.weekday(data.get("d1_weekday"), "clock.d1_weekday")
        jumps = self.clock_jumps(data, start, end, morning)
        return ClockSpec(
            start=start, morning=morning, speed=float(speed), end=end, d1_weekday=weekday, jumps=jumps
        )

    def country(self, value: Any, path: str) -> Country | None:
        keys = {"id", "name", "route_role", "blocs", "treaties", "eio_participant", "language",
                "legal_profile", "agencies", "composition", "team_model", "units",
                "calendar", "time_offset", "played_by"}  # fmt: skip
        data = self.map(value, path, keys, {"id", "name", "route_role"})
        if data is None:
            return None
        played_by = data.get("played_by", "team")
        if played_by not in ("team", "simcell"):
            self.problem(f"{path}.played_by", f"expected team or simcell, got {played_by!r}")
        simcell = played_by == "simcell"
        agencies = tuple(self.items_at(data, "agencies", path, self.agency))
        if simcell:  # every agency of a country nobody plays is SimCell's
            agencies = tuple(replace(agency, played_by_simcell=True) for agency in agencies)
        composition = data.get("composition") or {}
        seats: list[Seat] = []
        if not isinstance(composition, dict):
            self.problem(f"{path}.composition", "expected a map of role: number of people")
        else:
            for role, count in composition.items():
                self.ref(f"{path}.composition.{role}", "role", str(role))
                seats.append(Seat(str(role), self.integer(count, f"{path}.composition.{role}", 0, 1, 1000)))
        if simcell and seats:
            self.problem(
                f"{path}.composition", "a country played by SimCell (played_by: simcell) has no team to fill"
            )
        return self.at(
            Country(
                id=self.identifier(data.get("id"), f"{path}.id"),
                name=self.text(data.get("name"), f"{path}.name"),
                route_role=self.enum(data.get("route_role"), f"{path}.route_role", RouteRole),
                blocs=frozenset(self.strings(data.get("blocs"), f"{path}.blocs")),
                treaties=frozenset(self.strings(data.get("treaties"), f"{path}.treaties")),
                eio_participant=self.boolean(data.get("eio_participant"), f"{path}.eio_participant", False),
                language=self.text(data.get("language"), f"{path}.language", required=False),
                legal_profile=self.legal_profile(data.get("legal_profile"), f"{path}.legal_profile"),
                agencies=agencies,
                composition=tuple(seats),
                team_model=self.enum(data.get("team_model"), f"{path}.team_model", TeamModel, None)
                if "team_model" in data
                else None,
                calendar=self.calendar(data.get("calendar"), f"{path}.calendar"),
                time_offset=self.time_offset(data.get("time_offset"), f"{path}.time_offset"),
                played_by_simcell=simcell,
            ),
            path,
        )

    def _treaties(self, value: Any, path: str) -> frozenset[str]:
        treaties = self.strings(value, path)
        for i, treaty in enumerate(treaties):
            self.ref(f"{path}[{i}]", "treaty", treaty)
        return frozenset(treaties)

    def legal_profile(self, value: Any, path: str) -> LegalProfile:
        """A country's law: the entries written (the others are `unstated`: no fact to show or
        to match), and `other:` entries of the country's own."""
        if value is None:
            return LegalProfile(unstated=frozenset(PROFILE_ENTRIES))
        data = self.map(value, path, {*PROFILE_ENTRIES, "other"}, set())
        if data is None:
            return LegalProfile(unstated=frozenset(PROFILE_ENTRIES))

        def text(key: str, default: str = "") -> str:
            return self.text(data.get(key, default or None), f"{path}.{key}", required=False)

        def number(key: str, default: int, high: int) -> int:
            return self.integer(data.get(key), f"{path}.{key}", default, 0, high)

        def flag(key: str, default: bool) -> bool:
            return self.boolean(data.get(key), f"{path}.{key}", default)

        formal = data.get("formal_identification_days")
        return LegalProfile(
            thb_offence=text("thb_offence"),
            reflection_period_days=number("reflection_period_days", 30, 3650),
            child_age=number("child_age", 18, 30),
            extradites_nationals=flag("extradites_nationals", True),
            labour_inspector_criminal_powers=flag("labour_inspector_criminal_powers", False),
            fiu_type=text("fiu_type", "administrative"),
            nrm_authority=text("nrm_authority"),
            formal_identification_days=None
            if formal is None
            else number("formal_identification_days", 0, 3650),
            mla_central_authority=text("mla_central_authority"),
            notes=text("notes"),
            other=self._other_law(data.get("other"), f"{path}.other"),
            unstated=frozenset(key for key in PROFILE_ENTRIES if data.get(key) is None),
        )

    def _other_law(self, value: Any, path: str) -> tuple[tuple[str, str], ...]:
        """`other: {non_punishment: "Art. 26: victims are not punished for ...", ...}`: entries of a
        country's own law, each a text, a number or true/false, by a name of its own."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.problem(path, "expected a map of entry: value, e.g. {non_punishment: true}")
            return ()
        found = []
        for key, raw in value.items():
            name = str(key)
            if name in PROFILE_ENTRIES:
                self.problem(
                    f"{path}.{name}", f"{name} is a legal_profile entry of its own: write it beside `other`"
                )
            elif not name.replace("_", "").isalnum() or not name[:1].isalpha():
                self.problem(
                    f"{path}.{name}", "an entry's name is a word like non_punishment (letters, digits, _)"
                )
            elif isinstance(raw, bool):
                found.append((name, "true" if raw else "false"))
            elif isinstance(raw, int | float | str) and str(raw).strip():
                found.append((name, str(raw).strip()))
            else:
                self.problem(f"{path}.{name}", "expected a text, a number, or true/false")
        return tuple(found)

    def agency(self, value: Any, path: str) -> Agency | None:
        keys = {"id", "name", "type", "channels", "played_by", "calendar", "time_offset"}
        data = self.map(value, path, keys, {"id", "name", "type"})
        if data is None:
            return None
        played_by = data.get("played_by", "team")
        if played_by not in ("team", "simcell"):
            self.problem(f"{path}.played_by", f"expected team or simcell, got {played_by!r}")
        return Agency(
            id=self.identifier(data.get("id"), f"{path}.id"),
            name=self.text(data.get("name"), f"{path}.name"),
            type=self.identifier(data.get("type"), f"{path}.type"),
            channels=frozenset(self.strings(data.get("channels"), f"{path}.channels")),
            played_by_simcell=played_by == "simcell",
            calendar=self.calendar(data.get("calendar"), f"{path}.calendar"),
            time_offset=None
            if data.get("time_offset") is None
            else self.time_offset(data["time_offset"], f"{path}.time_offset"),
        )

    def _cross_border(self, data: dict[str, Any], path: str) -> bool:
        """`cross_border: false` or, the same said the other way, `domestic: true`."""
        cross = self.boolean(data.get("cross_border"), f"{path}.cross_border", True)
        domestic = self.boolean(data.get("domestic"), f"{path}.domestic", not cross)
        if "cross_border" in data and "domestic" in data and cross == domestic:
            self.problem(
                f"{path}.domestic",
                f"cross_border: {str(cross).lower()} and domestic: {str(domestic).lower()} contradict "
                "each other: give one of them",
            )
        return not domestic

    def country_units(self, value: Any, path: str) -> list[Unit]:
        """The units a country lists under its own `units` (their `country` is that one)."""
        if not isinstance(value, dict) or not isinstance(value.get("units", []), list):
            return []
        country = value.get("id")
        return self.items_at(
            value,
            "units",
            path,
            lambda item, where: self.unit(
                {"country": country, **item} if isinstance(item, dict) else item, where, nested=True
            ),
        )

    def unit(self, value: Any, path: str, nested: bool = False) -> Unit | None:
        required = {"id", "name", "agency"} if nested else {"id", "name", "country", "agency"}
        data = self.map(value, path, {"id", "name", "country", "agency"}, required)
        if data is None:
            return None
        self.ref(f"{path}.country", "country", str(data.get("country")))
        self.ref(f"{path}.agency", "agency", str(data.get("agency")))
        return self.at(
            Unit(
                id=self.identifier(data.get("id"), f"{path}.id"),
                name=self.text(data.get("name"), f"{path}.name"),
                country=str(data.get("country")),
                agency=str(data.get("agency")),
            ),
            path,
        )

    def override(self, value: Any, path: str) -> PairOverride | None:
        data = self.map(value, path, {"from", "to", "allow", "deny", "both_ways"}, {"from", "to"})
        if data is None:
            return None
        self.ref(f"{path}.from", "country", str(data.get("from")))
        self.ref(f"{path}.to", "country", str(data.get("to")))
        return PairOverride(
            source=str(data.get("from")),
            target=str(data.get("to")),
            allow=frozenset(self.refs_of(data.get("allow"), f"{path}.allow", "instrument")),
            deny=frozenset(self.refs_of(data.get("deny"), f"{path}.deny", "instrument")),
            both_ways=self.boolean(data.get("both_ways"), f"{path}.both_ways", True),
        )

    def role(self, value: Any, path: str) -> Role | None:
        data = self.map(
            value, path, {"id", "name", "agency_types", "capabilities", "description"}, {"id", "name"}
        )
        if data is None:
            return None
        role_id = self.identifier(data.get("id"), f"{path}.id")
        if role_id in STAFF_ROLES:
            self.problem(
                f"{path}.id",
                f"{role_id!r} is a built-in staff role; give it settings under `staff`, "
                "and participant roles other ids",
            )
        capabilities = self.strings(data.get("capabilities"), f"{path}.capabilities")
        for i, capability in enumerate(capabilities):
            verb, _, what = capability.partition(":")
            where = f"{path}.capabilities[{i}]"
            if verb not in VERBS or not what:
                self.problem(
                    where,
                    f"expected verb:name with a verb among {', '.join(sorted(VERBS))}, "
                    f"got {capability!r}{suggestion(verb, VERBS) if what else ''}",
                )
                continue
            self.ref(where, "action" if verb == "act" else "instrument", what)
        types = self.strings(data.get("agency_types"), f"{path}.agency_types")
        for i, agency_type in enumerate(types):
            self.ref(f"{path}.agency_types[{i}]", "agency_type", agency_type)
        return self.at(
            Role(
                id=role_id,
                name=self.text(data.get("name"), f"{path}.name"),
                agency_types=frozenset(types),
                capabilities=frozenset(capabilities),
            ),
            path,
        )

    def staff(self, value: Any, path: str) -> StaffSetting | None:
        data = self.map(value, path, {"role", "name", "plays", "notes"}, {"role"})
        if data is None:
            return None
        role = str(data.get("role"))
        if role not in STAFF_ROLES:
            self.problem(
                f"{path}.role",
                f"{role!r} is not a staff role (staff roles: {', '.join(sorted(STAFF_ROLES))})"
                f"{suggestion(role, STAFF_ROLES)}",
            )
        return StaffSetting(
            role=role,
            name=self.text(data.get("name"), f"{path}.name", required=False),
            plays=frozenset(self.strings(data.get("plays"), f"{path}.plays")),
            notes=self.text(data.get("notes"), f"{path}.notes", required=False),
        )

    def action(self, value: Any, path: str) -> Action | None:
        data = self.map(value, path, {"id", "name", "description", "needs"}, {"id", "name"})
        if data is None:
            return None
        return self.at(
            Action(
                id=self.identifier(data.get("id"), f"{path}.id"),
                name=self.text(data.get("name"), f"{path}.name"),
                description=self.text(data.get("description"), f"{path}.description", required=False),
                needs=frozenset(self.refs_of(data.get("needs"), f"{path}.needs", "action")),
            ),
            path,
        )

    def instrument(self, value: Any, path: str) -> Instrument | None:
        keys = {"id", "name", "legal_basis", "channel", "issuer", "receiver", "requires_blocs",
                "requires_eio", "cross_border", "domestic", "fields", "lifecycle", "refusal_grounds",
                "deadlines", "output", "consent", "requires_treaties"}  # fmt: skip
        data = self.map(value, path, keys, {"id", "name", "legal_basis", "channel", "issuer", "receiver"})
        if data is None:
            return None
        for key in ("issuer", "receiver"):
            self.ref(f"{path}.{key}", "agency_type", str(data.get(key)))
        lifecycle = self.strings(data.get("lifecycle"), f"{path}.lifecycle") or DEFAULT_LIFECYCLE
        fields = self.items_at(data, "fields", path, self.field)
        self._required_if(fields, path, str(data.get("id")))
        deadlines = []
        for i, item in enumerate(self.seq(data, "deadlines", f"{path}.deadlines")):
            where = f"{path}.deadlines[{i}]"
            raw = self.map(
                item, where, {"stage", "legal", "game", "urgent", "receiver"}, {"stage", "legal", "game"}
            )
            if raw is None:
                continue
            stage = str(raw.get("stage"))
            if stage not in lifecycle:
                self.problem(
                    f"{where}.stage",
                    f"unknown stage {stage!r} in the deadlines of {data.get('id')}: not in its lifecycle "
                    f"({', '.join(lifecycle)}){suggestion(stage, lifecycle)}",
                )
            game = self.delay(raw.get("game"), f"{where}.game")
            deadlines.append(
                Deadline(
                    stage=stage,
                    legal=self.text(raw.get("legal"), f"{where}.legal"),
                    game=game or Delay(),
                    urgent=self.delay(raw.get("urgent"), f"{where}.urgent"),
                    receiver=self._deadline_receiver(raw, where),
                )
            )
        self._distinct_deadlines(deadlines, f"{path}.deadlines", str(data.get("id")))
        return self.at(
            Instrument(
                id=self.identifier(data.get("id"), f"{path}.id"),
                name=self.text(data.get("name"), f"{path}.name"),
                legal_basis=self.text(data.get("legal_basis"), f"{path}.legal_basis"),
                channel=self.text(data.get("channel"), f"{path}.channel"),
                issuer=str(data.get("issuer")),
                receiver=str(data.get("receiver")),
                requires_blocs=frozenset(self.strings(data.get("requires_blocs"), f"{path}.requires_blocs")),
                requires_treaties=self._treaties(data.get("requires_treaties"), f"{path}.requires_treaties"),
                requires_eio=self.boolean(data.get("requires_eio"), f"{path}.requires_eio", False),
                cross_border=self._cross_border(data, path),
                fields=tuple(fields),
                lifecycle=lifecycle,
                refusal_grounds=self.strings(data.get("refusal_grounds"), f"{path}.refusal_grounds"),
                deadlines=tuple(deadlines),
                output=self.enum(
                    data.get("output"), f"{path}.output", EvidentialStatus, EvidentialStatus.EVIDENCE
                ),
                consent=self._consent(data.get("consent"), f"{path}.consent"),
            ),
            path,
        )

    def _deadline_receiver(self, raw: dict[str, Any], where: str) -> str:
        """`receiver: played` or `receiver: simcell` (none: the deadline binds every receiver)."""
        receiver = raw.get("receiver")
        if receiver is None:
            return ""
        if receiver not in DEADLINE_RECEIVERS:
            self.problem(
                f"{where}.receiver",
                f"unknown receiver {receiver!r}: played (a team plays the receiving side) or simcell "
                "(SimCell answers for it); leave it out for a deadline that binds both",
            )
            return ""
        return str(receiver)

    def _distinct_deadlines(self, deadlines: list[Deadline], path: str, instrument: str) -> None:
        """One deadline per stage and receiver: two would leave the engine guessing which holds."""
        seen: set[tuple[str, str]] = set()
        for i, rule in enumerate(deadlines):
            receivers = DEADLINE_RECEIVERS if not rule.receiver else (rule.receiver,)
            clash = [r for r in receivers if (rule.stage, r) in seen]
            if clash:
                self.problem(
                    f"{path}[{i}].stage",
                    f"{instrument} has two deadlines for stage {rule.stage!r} and {clash[0]} receivers: "
                    "give each stage one deadline, or one with `receiver: played` and one with "
                    "`receiver: simcell`",
                )
            seen.update((rule.stage, r) for r in receivers)

    def _consent(self, value: Any, path: str) -> Consent | None:
        """`consent: {granted_by: receiver, uses: [evidence, onward]}`."""
        if value is None:
            return None
        data = self.map(value, path, {"granted_by", "uses"}, set())
        if data is None:
            return None
        granted_by = str(data.get("granted_by", "receiver"))
        if granted_by not in CONSENT_SIDES:
            self.problem(
                f"{path}.granted_by",
                f"unknown side {granted_by!r}: requester (for what the request tells), receiver (for "
                f"what the answer releases) or both{suggestion(granted_by, CONSENT_SIDES)}",
            )
        uses = self.strings(data.get("uses"), f"{path}.uses") or CONSENT_USES
        for i, use in enumerate(uses):
            if use not in CONSENT_USES:
                self.problem(
                    f"{path}.uses[{i}]",
                    f"unknown use {use!r}: evidence (used as evidence in proceedings) or onward "
                    f"(passed on to a third country or agency){suggestion(use, CONSENT_USES)}",
                )
        return Consent(granted_by=granted_by, uses=tuple(u for u in uses if u in CONSENT_USES))

    def _required_if(self, fields: list[Field], path: str, instrument: str) -> None:
        """A `required_if` names another field of the same form, and values it can hold."""
        for i, spec in enumerate(fields):
            rule = spec.required_if
            if rule is None:
                continue
            where = f"{path}.fields[{i}].required_if"
            other = next((f for f in fields if f.key == rule.field), None)
            keys = [f.key for f in fields if f.key != spec.key]
            if other is None or other is spec:
                self.problem(
                    f"{where}.field",
                    f"{instrument}.{spec.key} is required if {rule.field!r} holds a value, but "
                    f"{instrument} has no other field {rule.field!r} (fields: {', '.join(keys) or 'none'})"
                    f"{suggestion(rule.field, keys)}",
                )
                continue
            choices = other.choices if other.type in ("enum", "multiselect") else ("true", "false")
            if other.type not in ("enum", "multiselect", "bool"):
                self.problem(
                    f"{where}.field",
                    f"{instrument}.{spec.key} is required if {rule.field!r} is one of some values, but "
                    f"{rule.field!r} is a {other.type} field: name an enum, multiselect or bool field",
                )
                continue
            for j, wanted in enumerate(rule.values):
                if wanted not in choices:
                    self.problem(
                        f"{where}.in[{j}]",
                        f"{wanted!r} is not a value of {instrument}.{rule.field} (choices: "
                        f"{', '.join(choices)}){suggestion(wanted, choices)}: the condition could never hold",
                    )

    def field(self, value: Any, path: str) -> Field | None:
        data = self.map(
            value,
            path,
            {
                "key",
                "type",
                "label",
                "required",
                "choices",
                "min_length",
                "side",
                "agency_types",
                "required_if",
            },
            {"key", "type"},
        )
        if data is None:
            return None
        kind = str(data.get("type"))
        if kind not in FIELD_TYPES:
            self.problem(
                f"{path}.type",
                f"unknown field type {kind!r}{suggestion(kind, FIELD_TYPES)} "
                f"(types: {', '.join(sorted(FIELD_TYPES))})",
            )
        choices = self.strings(data.get("choices"), f"{path}.choices")
        if kind in ("enum", "multiselect") and not choices:
            self.problem(f"{path}.choices", f"a field of type {kind} needs its choices")
        side = str(data.get("side", "source"))
        if side not in SIDES:
            self.problem(f"{path}.side", f"unknown side {side!r} (sides: {', '.join(SIDES)})")
        types = self.strings(data.get("agency_types"), f"{path}.agency_types")
        for i, agency_type in enumerate(types):
            self.ref(f"{path}.agency_types[{i}]", "agency_type", agency_type)
        if kind != "agency" and ("side" in data or types):
            self.problem(f"{path}.side", "side and agency_types are for fields of type agency")
        required_if = self._condition_of_field(data.get("required_if"), f"{path}.required_if")
        if required_if is not None and data.get("required") is True:
            self.problem(
                f"{path}.required",
                "a field with required_if is required only when its condition holds: "
                "leave out `required: true`",
            )
        return Field(
            key=self.identifier(data.get("key"), f"{path}.key"),
            type=kind,
            label=self.text(data.get("label"), f"{path}.label", required=False),
            required=required_if is None and self.boolean(data.get("required"), f"{path}.required", True),
            required_if=required_if,
            choices=choices,
            min_length=self.integer(data.get("min_length"), f"{path}.min_length", 0),
            side=side,
            agency_types=frozenset(types),
        )

    def _condition_of_field(self, value: Any, path: str) -> RequiredIf | None:
        """`required_if: {field: urgency, in: [evidence_destruction]}` (a bool field: `in: [true]`)."""
        if value is None:
            return None
        data = self.map(value, path, {"field", "in"}, {"field", "in"})
        if data is None:
            return None
        raw = data.get("in")
        if isinstance(raw, list):  # YAML reads `true` as a bool: a bool field's value, as text
            raw = [str(v).lower() if isinstance(v, bool) else v for v in raw]
        values = self.strings(raw, f"{path}.in")
        if not values:
            self.problem(f"{path}.in", "expected a non-empty list of the values that make the field required")
        return RequiredIf(field=str(data.get("field")), values=values)

    def entity(self, value: Any, path: str) -> Entity | None:
        data = self.map(value, path, {"id", "kind", "name", "description"}, {"id", "kind", "name"})
        if data is None:
            return None
        return self.at(
            Entity(
                id=self.identifier(data.get("id"), f"{path}.id"),
                kind=self.text(data.get("kind"), f"{path}.kind"),
                name=self.text(data.get("name"), f"{path}.name"),
                description=self.text(data.get("description"), f"{path}.description", required=False),
            ),
            path,
        )

    def visibility(self, value: Any, path: str) -> Visibility:
        if isinstance(value, str):
            value = {"scope": value}
        data = self.map(value, path, {"scope", "team", "role", "agency", "joint_team"}, {"scope"})
        if data is None:
            return Visibility(Scope.STAFF)
        scope = self.enum(data.get("scope"), f"{path}.scope", Scope, Scope.STAFF)
        needs = {
            Scope.ROLE: "role",
            Scope.AGENCY: "agency",
            Scope.TEAM: "team",
            Scope.JOINT_TEAM: "joint_team",
        }
        if scope in needs and not data.get(needs[scope]):
            self.problem(f"{path}.{needs[scope]}", f"scope {scope} needs {needs[scope]!r}")
        kinds = {"team": "team", "role": "role", "agency": "agency", "joint_team": "joint_team"}
        for key, kind in kinds.items():
            self.ref(f"{path}.{key}", kind, data.get(key))
        return Visibility(
            scope=scope,
            team=data.get("team"),
            role=data.get("role"),
            agency=data.get("agency"),
            joint_team=data.get("joint_team"),
        )

    def artefact(self, value: Any, path: str) -> Artefact | None:
        keys = {"id", "title", "kind", "owner", "visible_to", "status", "handling", "content", "content_file",
                "mentions", "discovery", "key", "question", "about"}  # fmt: skip
        data = self.map(value, path, keys, {"id", "title", "kind", "owner", "visible_to", "status"})
        if data is None:
            return None
        discovery = []
        for i, item in enumerate(self.seq(data, "discovery", f"{path}.discovery")):
            where = f"{path}.discovery[{i}]"
            raw = self.map(item, where, {"instrument", "to", "action"}, set())
            if raw is None:
                continue
            if not raw.get("instrument") and not raw.get("action"):
                self.problem(where, "say how it is found: an instrument (with `to`) or an action")
            self.ref(f"{where}.instrument", "instrument", raw.get("instrument"))
            self.ref(f"{where}.to", "receiver", raw.get("to"))
            self.ref(f"{where}.action", "action", raw.get("action"))
            discovery.append(Discovery(raw.get("instrument"), raw.get("to"), raw.get("action")))
        self.ref(f"{path}.owner", "owner", str(data.get("owner")))
        self.ref(f"{path}.about", "team", data.get("about"))
        return self.at(
            Artefact(
                id=self.identifier(data.get("id"), f"{path}.id"),
                title=self.text(data.get("title"), f"{path}.title"),
                kind=self.text(data.get("kind"), f"{path}.kind"),
                owner=str(data.get("owner")),
                visibility=self.visibility(data.get("visible_to"), f"{path}.visible_to"),
                evidential_status=self.enum(data.get("status"), f"{path}.status", EvidentialStatus),
                handling=self.text(data.get("handling", "H1"), f"{path}.handling"),
                content=self.long_text(data, "content", path),
                mentions=frozenset(self.refs_of(data.get("mentions"), f"{path}.mentions", "entity")),
                discovery=tuple(discovery),
                key=self.boolean(data.get("key"), f"{path}.key", bool(data.get("question"))),
                question=self.text(data.get("question"), f"{path}.question", required=False),
                about=data.get("about"),
            ),
            path,
        )

    def joint_team(self, value: Any, path: str) -> JointTeam | None:
        data = self.map(value, path, {"id", "name", "members", "formed_by"}, {"id", "name", "members"})
        if data is None:
            return None
        members = self.refs_of(data.get("members"), f"{path}.members", "country")
        if len(members) < 2:
            self.problem(f"{path}.members", "a joint investigation team needs at least two countries")
        return JointTeam(
            id=self.identifier(data.get("id"), f"{path}.id"),
            name=self.text(data.get("name"), f"{path}.name"),
            members=frozenset(members),
            formed_by=self._formed_by(data.get("formed_by"), f"{path}.formed_by"),
        )

    def _formed_by(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(path, "expected the id of the instrument that signs the agreement")
            return None
        self.ref(path, "instrument", value)
        return value

    def character(self, value: Any, path: str) -> Character | None:
        keys = {
            "id",
            "name",
            "played_by",
            "entity",
            "public_facts",
            "state",
            "disclosures",
            "reactions",
            "notes",
        }
        data = self.map(value, path, keys, {"id", "name", "played_by", "state"})
        if data is None:
            return None
        state = self.map(data.get("state"), f"{path}.state", {"trust", "safety", "status", "location"}, set())
        disclosures = []
        for i, item in enumerate(self.seq(data, "disclosures", f"{path}.disclosures")):
            where = f"{path}.disclosures[{i}]"
            raw = self.map(item, where, {"id", "text", "condition"}, {"id", "text", "condition"})
            if raw is not None:
                disclosures.append(
                    Disclosure(
                        id=self.identifier(raw.get("id"), f"{where}.id"),
                        text=self.text(raw.get("text"), f"{where}.text"),
                        condition=self.text(raw.get("condition"), f"{where}.condition"),
                    )
                )
        reactions = []
        for i, item in enumerate(self.seq(data, "reactions", f"{path}.reactions")):
            where = f"{path}.reactions[{i}]"
            raw = self.map(item, where, {"when", "effect", "trust", "status", "releases"}, {"when", "effect"})
            if raw is not None:
                self.ref(f"{where}.releases", "inject", raw.get("releases"))
                reactions.append(
                    Reaction(
                        on=self.text(raw.get("when"), f"{where}.when"),
                        effect=self.text(raw.get("effect"), f"{where}.effect"),
                        trust=self.integer(raw.get("trust"), f"{where}.trust", 0, -10, 10),
                        status=raw.get("status"),
                        releases=raw.get("releases"),
                    )
                )
        self.ref(f"{path}.entity", "entity", data.get("entity"))
        state = state or {}
        return self.at(
            Character(
                id=self.identifier(data.get("id"), f"{path}.id"),
                name=self.text(data.get("name"), f"{path}.name"),
                played_by=self.text(data.get("played_by"), f"{path}.played_by"),
                public_facts=self.strings(data.get("public_facts"), f"{path}.public_facts"),
                state=CharacterState(
                    trust=self.integer(state.get("trust"), f"{path}.state.trust", 3, 0, 10),
                    safety=str(state.get("safety", "unknown")),
                    status=str(state.get("status", "unidentified")),
                    location=str(state.get("location", "")),
                ),
                disclosures=tuple(disclosures),
                reactions=tuple(reactions),
                entity=data.get("entity"),
                notes=self.text(data.get("notes"), f"{path}.notes", required=False),
            ),
            path,
        )
