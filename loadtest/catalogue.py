"""Legal moves, read from the catalogue of a welcome (docs/protocol.md, "welcome", `catalogue`).

The bots play from what the server tells every client, not from the server's own model: which
instruments a role may issue towards which team, the fields each needs, which role answers what,
which actions a role may take. The catalogue is read defensively: a field missing or of another
shape than expected means "no such move", never a crash, so the load test keeps working while
the welcome grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    type: str
    required: bool
    choices: tuple[str, ...]
    min_length: int
    side: str = "source"
    """For an `agency` field: whose agency it names, the requester's (source) or the receiver's."""
    agency_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    receiver: str
    fields: tuple[Field, ...]
    refusal_grounds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    agency_types: frozenset[str]
    capabilities: frozenset[str]

    def can(self, verb: str, what: str) -> bool:
        return f"{verb}:{what}" in self.capabilities


@dataclass(frozen=True, slots=True)
class Move:
    """A request a role may draft and send on its own: instrument, target team, form."""

    instrument: str
    to: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Catalogue:
    roles: Mapping[str, Role] = field(default_factory=dict)
    instruments: Mapping[str, Instrument] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    available: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    """(from country, to country) → the instruments one may use towards the other."""
    team_country: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """country → its agencies as (id, type)."""

    def instrument(self, instrument_id: str) -> Instrument | None:
        return self.instruments.get(instrument_id)

    def requests_for(self, team: str | None, role: str) -> list[Move]:
        """Requests this team and role may issue alone (no co-signature), to every other team."""
        mine = self.roles.get(role)
        country = self.team_country.get(team or "")
        if mine is None or country is None:
            return []
        moves = []
        for other, their_country in sorted(self.team_country.items()):
            if other == team:
                continue
            for instrument_id in sorted(self.available.get((country, their_country), ())):
                instrument = self.instruments.get(instrument_id)
                if instrument is not None and mine.can("issue", instrument_id):
                    sides = {
                        "source": self.agencies.get(country, ()),
                        "target": self.agencies.get(their_country, ()),
                    }
                    form = fill_form(instrument, f"{instrument_id} for {other}", sides)
                    moves.append(Move(instrument_id, other, form))
        return moves

    def actions_for(self, role: str) -> list[str]:
        mine = self.roles.get(role)
        return [a for a in self.actions if mine is not None and mine.can("act", a)]

    def answering_role(self, instrument_id: str) -> str | None:
        """The first role that may answer an instrument (one answerer per team)."""
        instrument = self.instruments.get(instrument_id)
        if instrument is None:
            return None
        for role in self.roles.values():
            if role.can("answer", instrument_id) or (
                not role.can("receive", instrument_id) and instrument.receiver in role.agency_types
            ):  # `receive:` alone receives, it does not answer (server.core.requests.may_answer)
                return role.id
        return None


def fill_form(
    instrument: Instrument, content: str, sides: Mapping[str, tuple[tuple[str, str], ...]] | None = None
) -> dict[str, Any]:
    """A complete, well-typed form for `instrument`, its texts built from `content`; `sides` are
    the agencies (id, type) of the request's two countries (`source`, `target`), which an
    `agency` field names."""
    form: dict[str, Any] = {}
    for spec in instrument.fields:
        if spec.type in ("text", "date"):
            text = content
            while len(text) < spec.min_length:
                text += " " + content
            form[spec.key] = text
        elif spec.type == "agency":
            choices = [
                agency
                for agency, kind in (sides or {}).get(spec.side, ())
                if not spec.agency_types or kind in spec.agency_types
            ]
            form[spec.key] = choices[0] if choices else "the competent authority"
        elif spec.type == "enum" and spec.choices:
            form[spec.key] = spec.choices[0]
        elif spec.type == "multiselect":
            form[spec.key] = list(spec.choices[:2])
        elif spec.type == "entities":
            form[spec.key] = ["P-ELENA", "P-VIKTOR", "C-KALSTAFF"]
        elif spec.type == "bool":
            form[spec.key] = True
        elif spec.type == "number":
            form[spec.key] = 1
    return form


def read_catalogue(snapshot: Mapping[str, Any] | None) -> Catalogue:
    """The catalogue of a welcome's snapshot; an empty one when it is missing or unreadable."""
    if not isinstance(snapshot, Mapping):
        return Catalogue()
    data = snapshot.get("catalogue")
    if not isinstance(data, Mapping):
        return Catalogue()
    roles = {}
    for item in _maps(data.get("roles")):
        if isinstance(item.get("id"), str):
            roles[item["id"]] = Role(
                item["id"],
                frozenset(_strings(item.get("agency_types"))),
                frozenset(_strings(item.get("capabilities"))),
            )
    instruments = {}
    for item in _maps(data.get("instruments")):
        if isinstance(item.get("id"), str):
            fields = tuple(
                Field(
                    str(f.get("key", "")),
                    str(f.get("type", "text")),
                    bool(f.get("required", False)),
                    tuple(_strings(f.get("choices"))),
                    _int(f.get("min_length")),
                    str(f.get("side") or "source"),
                    frozenset(_strings(f.get("agency_types"))),
                )
                for f in _maps(item.get("fields"))
                if isinstance(f.get("key"), str)
            )
            instruments[item["id"]] = Instrument(
                item["id"],
                str(item.get("receiver") or ""),
                fields,
                tuple(_strings(item.get("refusal_grounds"))),
            )
    available = {}
    for item in _maps(data.get("available")):
        source, target = item.get("from"), item.get("to")
        if isinstance(source, str) and isinstance(target, str):
            available[(source, target)] = frozenset(_strings(item.get("instruments")))
    actions = tuple(a["id"] for a in _maps(data.get("actions")) if isinstance(a.get("id"), str))
    team_country = {
        t["id"]: str(t.get("country") or t["id"])
        for t in _maps(snapshot.get("teams"))
        if isinstance(t.get("id"), str)
    }
    agencies = {
        str(c["id"]): tuple(
            (str(a["id"]), str(a.get("type") or ""))
            for a in _maps(c.get("agencies"))
            if isinstance(a.get("id"), str)
        )
        for c in _maps(data.get("countries"))
        if isinstance(c.get("id"), str)
    }
    return Catalogue(roles, instruments, actions, available, team_country, agencies)


def _maps(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, Sequence) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return []
    return [item for item in value if isinstance(item, str)]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
