"""The `--age` figures in the reports: growth, CPU per event and per command early, late and in
the window, welcome sizes at the start and at age N, restart to first welcome, the storm."""

from __future__ import annotations

from typing import Any

from . import disk

WELCOME_TARGETS = {"participant": 64 * 1024, "director": 256 * 1024}
"""DESIGN.md, "a course's whole life": a participant's welcome ≤ 64 KB, a director's ≤ 256 KB."""


def window_cost(cohort: dict[str, Any]) -> dict[str, Any]:
    """Server CPU per event (of the log) and per command (sent by the bots) in the window."""
    server = cohort.get("server") or {}
    cpu = server.get("cpu_seconds")
    log = cohort.get("log") or {}
    events = log.get("events_in_window")
    start, end = cohort.get("window") or (0.0, 0.0)
    t0 = cohort.get("t0", start)
    first, last = int(start - t0), int(end - t0)
    commands = sum(
        int(slot.get("commands", 0))
        for key, slot in cohort.get("timeline", {}).items()
        if first <= int(key) < last
    )
    return {
        "server_cpu_s": cpu,
        "events": events,
        "commands": commands,
        "server_us_per_event": 1e6 * cpu / events if cpu is not None and events else None,
        "server_us_per_command": 1e6 * cpu / commands if cpu is not None and commands else None,
        "note": "includes the fan-out to the whole cohort (the growth's: to the growth clients only)",
    }


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _kb(value: Any) -> str:
    return "-" if value is None else f"{value / 1024:,.1f} KB"


def age_lines(age: dict[str, Any]) -> list[str]:
    window = age.get("in_flight_per_client")
    lines = [
        f"Age: {_num(age.get('reached'))} events in the log (asked {_num(age.get('target'))}), grown in "
        f"{_num(age.get('seconds'))} s by {age.get('clients')} connections x {window} in flight: "
        f"{_num(age.get('events_per_s'), 0)} events/s, {_num(age.get('commands'))} commands "
        f"({_num(age.get('commands_per_s'), 0)}/s); {age.get('mode')}",
    ]
    settings = age.get("settings") or {}
    if "growth" in settings:
        growth = ", ".join(f"{k}={v}" for k, v in settings["growth"].items())
        lines.append(
            f"  growth settings: {growth}; then restarted with: {settings.get('window')}, "
            f"redis appendfsync {settings.get('window_fsync')}"
        )
    else:
        lines.append(f"  settings: {settings.get('server', '-')}")
    mix = ", ".join(f"{k} {v:,}" for k, v in (age.get("by_command") or {}).items())
    lines.append(f"  mix: {mix}")
    if age.get("errors"):
        lines.append("  growth errors: " + ", ".join(f"{k} {v}" for k, v in sorted(age["errors"].items())))
    header = " ".join(
        f"{h:>14}" for h in ("events", "µs/event", "µs/command", "gen µs/event", "frames/event", "µs/frame")
    )
    lines.append(f"  {'server CPU':<30} {header}")
    cpu = age.get("cpu") or {}
    for label, key in (("growth, first tenth", "first"), ("growth, last tenth", "last")):
        lines.append(_cpu_row(label, cpu.get(key) or {}))
    first, last = (cpu.get("first") or {}), (cpu.get("last") or {})
    if first.get("server_us_per_command") and last.get("server_us_per_command"):
        ratio = last["server_us_per_command"] / first["server_us_per_command"]
        lines.append(f"  {'  last / first (per command)':<30} {ratio:>14.2f}x  (target ≤ 1.2x)")
    if first.get("server_us_per_frame") and last.get("server_us_per_frame"):
        ratio = last["server_us_per_frame"] / first["server_us_per_frame"]
        lines.append(f"  {'  last / first (per frame)':<30} {ratio:>14.2f}x  (per event frame delivered)")
    if cpu.get("tenths"):
        tenths = " ".join(_num(value, 0) for value in cpu["tenths"])
        lines.append(f"  {'  µs/event in each tenth':<30} {tenths}")
    lines.extend(_turn_lines(age.get("turns")))
    window = age.get("window")
    if window:
        cells = [
            _num(window.get("events")),
            _num(window.get("server_us_per_event")),
            _num(window.get("server_us_per_command")),
            "-",
            "-",
            "-",
        ]
        lines.append(f"  {'measured window (cohort)':<30} " + " ".join(f"{c:>14}" for c in cells))
    sizes = age.get("welcome_bytes") or {}
    start, aged = sizes.get("start") or {}, sizes.get("aged") or {}
    for who, limit in WELCOME_TARGETS.items():
        over = aged.get(who) is not None and aged[who] > limit
        whose = (
            f" (team {aged['participant_team']}, the largest of one per team)"
            if who == "participant" and aged.get("participant_team")
            else ""
        )
        lines.append(
            f"  welcome of a {who:<11}: {_kb(start.get(who))} at the start, {_kb(aged.get(who))} at age "
            f"{_num(age.get('reached'))}{whose} (target ≤ {limit // 1024} KB){' ✗' if over else ''}"
        )
        if aged.get(f"{who}_first") is not None:
            lines.append(
                f"    a client's first, with the catalogue: {_kb(start.get(f'{who}_first'))} at the start, "
                f"{_kb(aged.get(f'{who}_first'))} at age {_num(age.get('reached'))}"
            )
    restart = age.get("restart")
    if restart:
        lines.append(
            f"  restart to first welcome: {_num(restart['to_first_welcome_s'], 2)} s "
            f"({restart['instances']} instance(s), from process start; target ≤ 1 s)"
        )
        phases = restart.get("phases") or {}
        if phases.get("started_s") is not None:
            lines.append(_phases_line(phases))
        if "redis_stalls" in restart:
            meanwhile = disk.steps_line(restart["redis_stalls"])
            lines.append(f"    redis's own latency monitor meanwhile: {meanwhile}")
    else:
        lines.append("  restart to first welcome: not measured (only for local instances)")
    return lines


def _phases_line(phases: dict[str, Any]) -> str:
    """Where the restart's time went, from the instance's own log (`age.restart_phases`)."""
    line = f"    of it: the process started and imported the server by {_num(phases['started_s'], 2)} s"
    if phases.get("loaded_s") is not None:
        loaded, load = _num(phases["loaded_s"], 2), _num(phases["load_s"], 2)
        line += f", the exercise loaded at {loaded} s ({load} s loading)"
    return line


def _turn_lines(turns: dict[str, Any] | None) -> list[str]:
    """The aged exercise against a fresh one, in turns on the same server (`loadtest.turns`)."""
    if not turns:
        return []
    lines = []
    for who in ("aged", "fresh"):
        part = turns[who]
        label = f"in turns, {who} ({part.get('turns')} x {_num(turns.get('seconds_per_turn'))} s)"
        lines.append(_cpu_row(label, part))
    ratio = turns.get("ratio") or {}
    by_pair = turns.get("ratio_per_command_by_pair") or {}
    if ratio.get("command") is not None:
        lines.append(
            f"  {'  aged / fresh (per command)':<30} {ratio['command']:>14.2f}x  (target ≤ 1.2x; "
            f"pairs: median {_num(by_pair.get('median'), 2)}x, {_num(by_pair.get('min'), 2)}"
            f" to {_num(by_pair.get('max'), 2)}x)"
        )
    if ratio.get("frame") is not None and ratio.get("generator_per_event") is not None:
        lines.append(
            f"  {'  aged / fresh (per frame)':<30} {ratio['frame']:>14.2f}x  "
            f"(the generators' per event: {ratio['generator_per_event']:.2f}x)"
        )
    return lines


def _cpu_row(label: str, part: dict[str, Any]) -> str:
    """One row of the server CPU table: events, µs/event, µs/command, the generators' µs/event,
    frames/event, µs/frame."""
    cells = [
        _num(part.get("events")),
        _num(part.get("server_us_per_event")),
        _num(part.get("server_us_per_command")),
        _num(part.get("generator_us_per_event")),
        _num(part.get("frames_per_event"), 2),
        _num(part.get("server_us_per_frame")),
    ]
    return f"  {label:<30} " + " ".join(f"{c:>14}" for c in cells)
