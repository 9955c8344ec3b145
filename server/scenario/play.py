"""Reading the play of a scenario: injects and their triggers, SimCell answer templates, the
requests a strong team makes, branches, objectives and metrics."""

from __future__ import annotations

from typing import Any

from server.core.requests import RequestStatus
from server.core.scenario import (
    Branch,
    Channel,
    Delay,
    ExpectedRequest,
    Happening,
    HappeningKind,
    Inject,
    InjectAudience,
    Metric,
    MetricKind,
    Objective,
    Outcome,
    OutcomeRule,
    PlaybookStep,
    Receipt,
    Response,
    ResponseOutcome,
    Trigger,
    TriggerKind,
)
from server.scenario.conditions import ConditionReader
from server.scenario.fields import parse_audience
from server.scenario.source import suggestion

TRIGGER_KEYS = {k.value for k in TriggerKind} - {"manual"}


class PlayReader(ConditionReader):
    def audience(self, value: Any, path: str) -> InjectAudience:
        """`all`, `staff`, or `WES: police, prosecutor; KAL; *: mentor` (team: roles; ...)."""
        try:
            audience = parse_audience(str(value))
        except ValueError as error:
            self.problem(path, str(error))
            return InjectAudience()
        for recipient in audience.recipients:
            self.ref(path, "recipient", recipient.team)  # a country: each of its teams
            for role in sorted(recipient.roles):
                self.ref(path, "role_or_staff", role)
        return audience

    def trigger(self, value: Any, path: str) -> Trigger | None:
        if value == "manual":
            return self.at(Trigger(TriggerKind.MANUAL), path)
        if not isinstance(value, dict):
            self.problem(path, f"expected manual or a map with one of {', '.join(sorted(TRIGGER_KEYS))}")
            return None
        kinds = [key for key in value if key != "delay"]
        if len(kinds) != 1 or kinds[0] not in TRIGGER_KEYS:
            unknown = [k for k in kinds if k not in TRIGGER_KEYS]
            hint = suggestion(unknown[0], TRIGGER_KEYS) if unknown else ""
            self.problem(
                path,
                f"a trigger has exactly one of {', '.join(sorted(TRIGGER_KEYS))} "
                f"(and optionally delay), got {', '.join(map(str, kinds)) or 'none'}{hint}",
            )
            return None
        kind = TriggerKind(kinds[0])
        body, where = value[kind.value], f"{path}.{kind.value}"
        delay = self.delay(value.get("delay"), f"{path}.delay")
        match kind:
            case TriggerKind.TIME | TriggerKind.INJECT | TriggerKind.ACTION if not isinstance(body, dict):
                body = {"at" if kind is TriggerKind.TIME else kind.value: body}
        trigger: Trigger | None = None
        if kind in (TriggerKind.ALL_OF, TriggerKind.ANY_OF):
            if not isinstance(body, list) or len(body) < 2:
                self.problem(where, f"{kind} needs a list of at least two triggers")
                return None
            parts = [self.trigger(item, f"{where}[{i}]") for i, item in enumerate(body)]
            trigger = Trigger(kind, of=tuple(p for p in parts if p is not None), delay=delay)
        elif kind is TriggerKind.NOT:
            inner = self.trigger(body, where)
            trigger = Trigger(kind, of=(inner,) if inner else (), delay=delay)
        elif kind is TriggerKind.TIME:
            raw = self.map(body, where, {"at"}, {"at"})
            trigger = Trigger(kind, at=self.sim_time((raw or {}).get("at"), f"{where}.at"), delay=delay)
        elif kind is TriggerKind.INJECT:
            raw = self.map(body, where, {"inject"}, {"inject"}) or {}
            self.ref(f"{where}.inject", "inject", raw.get("inject"))
            trigger = Trigger(kind, inject=raw.get("inject"), delay=delay)
        elif kind is TriggerKind.ACTION:
            trigger = self.action_trigger(body, where, delay)
        elif kind is TriggerKind.NOT_BEFORE:
            trigger = Trigger(kind, at=self.sim_time(body, where), delay=delay)
        elif kind is TriggerKind.CHARACTER:
            trigger = self.character_trigger(body, where, delay)
        elif kind is TriggerKind.REQUEST:
            keys = {"instrument", "from", "to", "state", "fields", "answer_contains", "ground", "urgent"}
            raw = self.map(body, where, keys, {"instrument", "state"}) or {}
            self.ref(f"{where}.instrument", "instrument", raw.get("instrument"))
            self.ref(f"{where}.from", "party", raw.get("from"))
            self.ref(f"{where}.to", "receiver", raw.get("to"))
            trigger = Trigger(
                kind,
                instrument=raw.get("instrument"),
                source=raw.get("from"),
                target=raw.get("to"),
                state=None if raw.get("state") is None else str(raw.get("state")),
                delay=delay,
                test=self.request_test(raw, where),
            )
        else:  # deadline_missed
            raw = self.map(body, where, {"at", "unless"}, {"at", "unless"}) or {}
            unless = self.trigger(raw.get("unless"), f"{where}.unless") if "unless" in raw else None
            at = self.sim_time(raw.get("at"), f"{where}.at")
            trigger = Trigger(kind, at=at, of=(unless,) if unless else (), delay=delay)
        return self.at(trigger, path)

    def inject(self, value: Any, path: str) -> Inject | None:
        keys = {"id", "title", "body", "body_file", "channel", "from", "to", "at", "trigger", "delay",
                "releases", "notes", "expected_actions", "objectives", "characters",
                "stand_in_for", "roleplay", "roleplay_file", "scope", "to_teams", "effects"}  # fmt: skip
        data = self.map(value, path, keys, {"id", "title", "channel", "from", "to"})
        if data is None:
            return None
        trigger = self.trigger(data["trigger"], f"{path}.trigger") if "trigger" in data else None
        expected = self.strings(data.get("expected_actions"), f"{path}.expected_actions")
        for i, name in enumerate(expected):
            self.ref(f"{path}.expected_actions[{i}]", "action_or_instrument", name)
        return self.at(
            Inject(
                id=self.identifier(data.get("id"), f"{path}.id"),
                title=self.text(data.get("title"), f"{path}.title"),
                body=self.long_text(data, "body", path),
                channel=self.enum(data.get("channel"), f"{path}.channel", Channel),
                sender=self.text(data.get("from"), f"{path}.from"),
                audience=self.audience(data.get("to"), f"{path}.to"),
                at=self.sim_time(data.get("at"), f"{path}.at"),
                trigger=trigger,
                delay=self.delay(data.get("delay"), f"{path}.delay"),
                releases=self.refs_of(data.get("releases"), f"{path}.releases", "artefact"),
                notes=self.long_text(data, "notes", path, required=False),
                roleplay=self.long_text(data, "roleplay", path, required=False),
                stand_in_for=self._stand_in_for(data, path),
                expected_actions=expected,
                objectives=frozenset(self.refs_of(data.get("objectives"), f"{path}.objectives", "objective")),
                characters=frozenset(self.refs_of(data.get("characters"), f"{path}.characters", "character")),
                scope=self._scope(data, path),
                to_teams=self.to_teams(data.get("to_teams"), f"{path}.to_teams"),
                effects=self.effects(data.get("effects"), f"{path}.effects"),
            ),
            path,
        )

    def _scope(self, data: dict[str, Any], path: str) -> bool:
        if "scope" not in data:
            return False
        if data["scope"] != "team":
            self.problem(
                f"{path}.scope",
                f"the only scope is team (the condition holds for one team), got {data['scope']!r}",
            )
            return False
        if "trigger" not in data or data["trigger"] == "manual":
            self.problem(f"{path}.scope", "scope: team needs a trigger that can hold for one team")
        if "to_teams" in data:
            self.problem(
                f"{path}.to_teams", "scope: team sends the inject to the team it held for; leave out to_teams"
            )
        return True

    def _stand_in_for(self, data: dict[str, Any], path: str) -> str | None:
        if "stand_in_for" not in data:
            return None
        team = str(data["stand_in_for"])
        self.ref(f"{path}.stand_in_for", "team", team)
        return team

    def response(self, value: Any, path: str) -> Response | None:
        data = self.map(
            value,
            path,
            {"id", "instrument", "to", "from", "outcomes"},
            {"id", "instrument", "to", "outcomes"},
        )
        if data is None:
            return None
        self.ref(f"{path}.instrument", "instrument", data.get("instrument"))
        self.ref(f"{path}.to", "receiver", data.get("to"))
        self.ref(f"{path}.from", "party", data.get("from"))
        outcomes = []
        for i, item in enumerate(self.seq(data, "outcomes", f"{path}.outcomes", required=True)):
            where = f"{path}.outcomes[{i}]"
            keys = {"when", "outcome", "text", "delay", "releases", "answer_delayed"}
            raw = self.map(item, where, keys, {"outcome", "text"})
            if raw is None:
                continue
            delayed = self.boolean(raw.get("answer_delayed"), f"{where}.answer_delayed", False)
            if delayed and "delay" not in raw:
                self.problem(
                    f"{where}.answer_delayed", "answer_delayed needs the delay the answer arrives after"
                )
            outcomes.append(
                self.at(
                    ResponseOutcome(
                        when=self.rule(raw.get("when", "always"), f"{where}.when"),
                        outcome=self.enum(raw.get("outcome"), f"{where}.outcome", Outcome),
                        text=self.text(raw.get("text"), f"{where}.text"),
                        delay=self.delay(raw.get("delay"), f"{where}.delay"),
                        releases=self.refs_of(raw.get("releases"), f"{where}.releases", "artefact"),
                        answer_delayed=delayed,
                    ),
                    where,
                )
            )
        return self.at(
            Response(
                id=self.identifier(data.get("id"), f"{path}.id"),
                instrument=str(data.get("instrument")),
                target=str(data.get("to")),
                source=data.get("from"),
                outcomes=tuple(outcomes),
            ),
            path,
        )

    def rule(self, value: Any, path: str) -> OutcomeRule:
        if value == "always":
            return OutcomeRule()
        keys = {"missing_required", "urgent", "field", "includes_any", "min_length", "mentions_any",
                "fields", "received", "not", "condition"}  # fmt: skip
        data = self.map(value, path, keys, set())
        if data is None:
            return OutcomeRule()
        if ("includes_any" in data or "min_length" in data) and "field" not in data:
            self.problem(f"{path}.field", "includes_any and min_length need the field they look at")
        missing, urgent = data.get("missing_required"), data.get("urgent")
        return OutcomeRule(
            missing_required=None
            if missing is None
            else self.boolean(missing, f"{path}.missing_required", False),
            urgent=None if urgent is None else self.boolean(urgent, f"{path}.urgent", False),
            field=data.get("field"),
            includes_any=frozenset(self.strings(data.get("includes_any"), f"{path}.includes_any")),
            min_length=None
            if "min_length" not in data
            else self.integer(data["min_length"], f"{path}.min_length", 0),
            mentions_any=frozenset(self.refs_of(data.get("mentions_any"), f"{path}.mentions_any", "entity")),
            fields=self.field_tests(data.get("fields"), f"{path}.fields"),
            received=None
            if "received" not in data
            else self.enum(data["received"], f"{path}.received", Receipt),
            unless=self._unless(data.get("not"), f"{path}.not"),
            condition=None
            if "condition" not in data
            else self.trigger(data["condition"], f"{path}.condition"),
        )

    def _unless(self, value: Any, path: str) -> tuple[OutcomeRule, ...]:
        """`not: {...}` (one rule) or `not: [{...}, {...}]` (none of them)."""
        if value is None:
            return ()
        if value == "always" or value == {}:
            self.problem(
                path, "`not` of nothing never holds: say what must not be so, e.g. not: {urgent: true}"
            )
            return ()
        rules = value if isinstance(value, list) else [value]
        return tuple(
            self.rule(rule, f"{path}[{i}]" if isinstance(value, list) else path)
            for i, rule in enumerate(rules)
        )

    def request(self, value: Any, path: str) -> ExpectedRequest | None:
        keys = {
            "id",
            "title",
            "from",
            "role",
            "instrument",
            "to",
            "content",
            "when",
            "urgent",
            "unlocks",
            "releases",
        }
        data = self.map(
            value, path, keys, {"id", "title", "from", "role", "instrument", "to", "content", "when"}
        )
        if data is None:
            return None
        for key, kind in (
            ("from", "country"),
            ("to", "country"),
            ("role", "role"),
            ("instrument", "instrument"),
        ):
            self.ref(f"{path}.{key}", kind, data.get(key))
        return self.at(
            ExpectedRequest(
                id=self.identifier(data.get("id"), f"{path}.id"),
                title=self.text(data.get("title"), f"{path}.title"),
                source=str(data.get("from")),
                role=str(data.get("role")),
                instrument=str(data.get("instrument")),
                target=str(data.get("to")),
                content=self.text(data.get("content"), f"{path}.content"),
                when=self.text(data.get("when"), f"{path}.when"),
                urgent=self.boolean(data.get("urgent"), f"{path}.urgent", False),
                unlocks=self.refs_of(data.get("unlocks"), f"{path}.unlocks", "inject"),
                releases=self.refs_of(data.get("releases"), f"{path}.releases", "artefact"),
            ),
            path,
        )

    def playbook_step(self, value: Any, path: str) -> PlaybookStep | None:
        """`{at, request}` or `{at, action, team, role, subject}` (docs/scenarios.md, `playbook`)."""
        keys = {"at", "request", "action", "team", "role", "subject", "to", "agency"}
        data = self.map(value, path, keys, {"at"})
        if data is None:
            return None
        at = self.sim_time(data.get("at"), f"{path}.at")
        if ("request" in data) == ("action" in data):
            self.problem(
                path, "a playbook step makes either a `request` (an id under `requests`) or an `action`"
            )
            return None
        if "action" in data:
            for key in ("team", "role"):
                if key not in data:
                    self.problem(path, f"missing {key!r}: who takes the action ({data.get('action')})")
            for key in ("to", "agency"):
                if key in data:
                    self.problem(f"{path}.{key}", f"{key!r} is for a request step, not an action")
        elif "subject" in data:
            self.problem(f"{path}.subject", "'subject' is for an action step (a request has its title)")
        for key, kind in (
            ("request", "expected_request"),
            ("action", "action"),
            ("team", "team"),
            ("role", "role"),
            ("to", "team"),
            ("agency", "agency"),
        ):
            self.ref(f"{path}.{key}", kind, None if data.get(key) is None else str(data.get(key)))
        return self.at(
            PlaybookStep(
                at=at or 0,
                request=str(data.get("request") or ""),
                action=str(data.get("action") or ""),
                team=str(data.get("team") or ""),
                role=str(data.get("role") or ""),
                subject=self.text(data.get("subject"), f"{path}.subject", required=False),
                to=str(data.get("to") or ""),
                agency=str(data.get("agency") or ""),
            ),
            path,
        )

    def branch(self, value: Any, path: str) -> Branch | None:
        keys = {"id", "title", "description", "entered_by", "affects", "objectives"}
        data = self.map(value, path, keys, {"id", "title", "description", "entered_by"})
        if data is None:
            return None
        self.ref(f"{path}.entered_by", "inject", data.get("entered_by"))
        return Branch(
            id=self.identifier(data.get("id"), f"{path}.id"),
            title=self.text(data.get("title"), f"{path}.title"),
            description=self.text(data.get("description"), f"{path}.description"),
            entered_by=str(data.get("entered_by")),
            affects=self.refs_of(data.get("affects"), f"{path}.affects", "inject"),
            objectives=frozenset(self.refs_of(data.get("objectives"), f"{path}.objectives", "objective")),
        )

    def objective(self, value: Any, path: str) -> Objective | None:
        data = self.map(
            value,
            path,
            {"id", "title", "description", "rubric", "metrics"},
            {"id", "title", "description", "rubric"},
        )
        if data is None:
            return None
        rubric = self.strings(data.get("rubric"), f"{path}.rubric")
        if len(rubric) < 2:
            self.problem(f"{path}.rubric", "a rubric needs at least two levels (0 first)")
        return Objective(
            id=self.identifier(data.get("id"), f"{path}.id"),
            title=self.text(data.get("title"), f"{path}.title"),
            description=self.text(data.get("description"), f"{path}.description"),
            rubric=rubric,
            metrics=frozenset(self.refs_of(data.get("metrics"), f"{path}.metrics", "metric")),
        )

    def metric(self, value: Any, path: str) -> Metric | None:
        """A metric the engine computes (docs/scenarios.md, "Metrics"): what it looks at depends
        on its kind, and every reference must resolve."""
        keys = {
            "id", "name", "kind", "instrument", "action", "inject", "artefact", "target", "description",
            "to", "state", "of", "then", "by", "within", "teams",
        }  # fmt: skip
        data = self.map(value, path, keys, {"id", "name", "kind"})
        if data is None:
            return None
        known_kind = data.get("kind") in {str(k) for k in MetricKind}
        kind = self.enum(data.get("kind"), f"{path}.kind", MetricKind, MetricKind.REQUEST_COUNT)
        needs = _METRIC_NEEDS[kind] if known_kind else ()  # an unknown kind is the one mistake
        for key in needs:
            if data.get(key) in (None, "", []):
                self.problem(f"{path}.{key}", f"a {kind} metric needs {key!r} ({_METRIC_HINTS[key]})")
        for key in sorted({"instrument", "action", "inject", "artefact", "to", "of", "then", "by", "within"}):
            if known_kind and key in data and key not in needs and key not in _METRIC_OPTIONAL[kind]:
                self.problem(f"{path}.{key}", f"a metric of kind {kind} has no {key!r}")
        for key in ("instrument", "action", "inject", "artefact"):
            self.ref(f"{path}.{key}", key, data.get(key))
        self.ref(f"{path}.to", "team", data.get("to"))
        state = self._request_state(data.get("state", "sent"), f"{path}.state")
        of = tuple(
            h
            for i, item in enumerate(self.seq(data, "of", f"{path}.of"))
            if (h := self.happening(item, f"{path}.of[{i}]")) is not None
        )
        if kind is MetricKind.SPAN and len(of) < 2:
            self.problem(f"{path}.of", "a span metric needs at least two happenings in 'of'")
        if kind is MetricKind.BEFORE and "of" in data and len(of) != 1:
            self.problem(f"{path}.of", "a before metric compares one happening ('of') with another ('then')")
        then = None if data.get("then") is None else self.happening(data.get("then"), f"{path}.then")
        within = self.delay(data.get("within"), f"{path}.within")
        if within is not None and within.anchor is not None:
            self.problem(f"{path}.within", "expected a duration like PT30M, not a time of day")
        teams = self.refs_of(data.get("teams"), f"{path}.teams", "team")
        return self.at(self._metric(data, kind, path, state, of, then, within, teams), path)

    def _metric(
        self,
        data: dict[str, Any],
        kind: MetricKind,
        path: str,
        state: str,
        of: tuple[Happening, ...],
        then: Happening | None,
        within: Delay | None,
        teams: tuple[str, ...],
    ) -> Metric:
        return Metric(
            id=self.identifier(data.get("id"), f"{path}.id"),
            name=self.text(data.get("name"), f"{path}.name"),
            kind=kind,
            instrument=data.get("instrument"),
            action=data.get("action"),
            inject=data.get("inject"),
            artefact=data.get("artefact"),
            target=self._target(kind, data.get("target"), f"{path}.target"),
            description=self.text(data.get("description"), f"{path}.description", required=False),
            to=data.get("to"),
            state=state,
            of=of,
            then=then,
            by=self.sim_time(data.get("by"), f"{path}.by"),
            within=None if within is None else within.seconds,
            teams=teams,
        )

    def happening(self, value: Any, path: str) -> Happening | None:
        """`{request: EIO, to: KAL, state: answered}`, `{action: refer_nrm}`, `{inject: I-06b}` or
        `{artefact: A-KAL-BANK-01}`."""
        kinds = [k.value for k in HappeningKind]
        if not isinstance(value, dict) or len([k for k in value if k in kinds]) != 1:
            self.problem(path, f"expected a map with one of {', '.join(kinds)} (a request may add to, state)")
            return None
        data = self.map(value, path, {*kinds, "to", "state"}, set()) or {}
        kind = HappeningKind(next(k for k in data if k in kinds))
        what = str(data[kind.value])
        self.ref(f"{path}.{kind.value}", "instrument" if kind is HappeningKind.REQUEST else kind.value, what)
        if kind is not HappeningKind.REQUEST and ("to" in data or "state" in data):
            self.problem(path, f"only a request has 'to' and 'state', not an {kind}")
        self.ref(f"{path}.to", "team", data.get("to"))
        state = self._request_state(data.get("state", "sent"), f"{path}.state")
        return Happening(kind, what, data.get("to"), state)

    def _request_state(self, value: Any, path: str) -> str:
        states = [s.value for s in RequestStatus if s is not RequestStatus.DRAFT]
        if str(value) not in states:
            self.problem(path, f"unknown request state {value!r}{suggestion(str(value), set(states))}"
                         f" (states: {', '.join(states)})")  # fmt: skip
            return "sent"
        return str(value)

    def _target(self, kind: MetricKind, value: Any, path: str) -> float | None:
        """A count or share as a number; a time as a duration (PT2H), seconds after STARTEX."""
        if value is None:
            return None
        if kind in _TIME_KINDS:
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.problem(path, f"a {kind} target is a duration like PT2H (how long after STARTEX)")
                return None
            delay = self.delay(value, path)
            if delay is not None and delay.anchor is not None:
                self.problem(path, "expected a duration like PT2H, not a time of day (use 'by' for that)")
                return None
            return None if delay is None else float(delay.seconds)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"expected a number, got {value!r}")
            return None
        if kind is MetricKind.INJECTS_ACKNOWLEDGED and not 0 <= value <= 1:
            self.problem(path, f"a share is between 0 and 1 (0.8 for 80%), got {value!r}")
            return None
        return float(value)


_TIME_KINDS = frozenset({MetricKind.TIME_TO_REQUEST, MetricKind.TIME_TO_ACTION, MetricKind.SPAN})

_METRIC_NEEDS: dict[MetricKind, tuple[str, ...]] = {
    MetricKind.REQUEST_COUNT: ("instrument",),
    MetricKind.TIME_TO_REQUEST: ("instrument",),
    MetricKind.ACTION_COUNT: ("action",),
    MetricKind.TIME_TO_ACTION: ("action",),
    MetricKind.INJECT_FIRED: ("inject",),
    MetricKind.ARTEFACT_RELEASED: ("artefact",),
    MetricKind.BEFORE: ("of", "then"),
    MetricKind.SPAN: ("of",),
    MetricKind.INJECTS_ACKNOWLEDGED: ("within",),
    MetricKind.REQUEST_BY: ("instrument", "by"),
}
_METRIC_OPTIONAL: dict[MetricKind, frozenset[str]] = {
    MetricKind.REQUEST_COUNT: frozenset({"to", "by"}),
    MetricKind.TIME_TO_REQUEST: frozenset({"to", "by"}),
    MetricKind.ACTION_COUNT: frozenset({"by"}),
    MetricKind.TIME_TO_ACTION: frozenset({"by"}),
    MetricKind.INJECT_FIRED: frozenset(),
    MetricKind.ARTEFACT_RELEASED: frozenset({"by"}),
    MetricKind.BEFORE: frozenset(),
    MetricKind.SPAN: frozenset(),
    MetricKind.INJECTS_ACKNOWLEDGED: frozenset({"of"}),
    MetricKind.REQUEST_BY: frozenset({"to"}),
}
_METRIC_HINTS = {
    "instrument": "an instrument id",
    "action": "an action id",
    "inject": "an inject id",
    "artefact": "an artefact id",
    "of": "a list of happenings such as {action: refer_nrm} or {request: EIO, to: KAL}",
    "then": "a happening such as {inject: I-06b}",
    "by": "a time of play such as D2 12:00",
    "within": "a duration such as PT30M",
}
