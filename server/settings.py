"""Settings: every knob of a Liaison instance, read once from `LIAISON_*` variables.

The README's settings table lists each field (a test checks it). `from_env` is the only
place that reads the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from server.scenario.shipped import shipped_scenarios

PREFIX = "LIAISON_"


class SettingsError(ValueError):
    """An environment variable has a value Liaison cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = 8080
    """Port to listen on (0 picks a free one)."""
    redis_url: str = ""
    """Redis to use: redis://host:6379/0, redis+sentinel://host:26379,host2:26379/mymaster/0 or
    redis+cluster://host:7000,host2:7001 (docs/deploy.md). Empty: start an embedded redis-server."""
    redis_min_replicas: int = 0
    """Replicas that must confirm an append (WAIT) before a command is acknowledged; 0: none."""
    redis_wait_timeout: float = 1.0
    """Seconds an append waits for those replicas; then the reply is `unavailable` (retry, same id)."""
    data_dir: Path = Path("./liaison-data")
    """Folder for the embedded Redis's data (AOF) and the admin token."""
    redis_fsync: str = "always"
    """Embedded Redis AOF fsync policy: always (no acknowledged event lost) or everysec."""
    admin_token: str = ""
    """Bearer token for the control HTTP API. Empty: generated and kept in data_dir."""
    instance_id: str = ""
    """Name of this instance in logs and presence. Empty: a random one per start."""
    log_format: str = "auto"
    """auto (console on a terminal, JSON otherwise), json or console."""
    log_level: str = "info"
    """debug, info, warning or error."""
    max_frame_bytes: int = 65_536
    """Largest inbound WebSocket frame: a bigger command is answered `too_large`; any other frame
    that big, and any frame 16 times as big, closes the connection with 1009."""
    send_queue: int = 1_000
    """Frames queued per connection before it counts as slow and is disconnected (4001)."""
    hello_timeout: float = 10.0
    """Seconds a new connection has to send its hello."""
    presence_grace: float = 5.0
    """Seconds after a disconnect before the participant is shown as gone."""
    position_interval: float = 5.0
    """Seconds between position messages to connections that saw no event."""
    ws_compression: bool = False
    """permessage-deflate on WebSocket connections."""
    event_loop: str = "asyncio"
    """asyncio (its own loop), uvloop, or auto (uvloop when it is installed)."""
    demo: bool = False
    """Create the demo exercise at start if it does not exist yet."""
    allowed_origins: tuple[str, ...] = ()
    """Extra Origins accepted on /ws, comma-separated (same host is always accepted)."""
    command_rate: float = 20.0
    """Commands per second one connection may send on average; more get `rate_limited`."""
    command_burst: int = 40
    """Commands one connection may send at once before the rate applies."""
    max_connections: int = 5
    """Open connections per participant (tabs, devices); one more is refused with 4504."""
    join_failures: int = 20
    """Failed join attempts per client address per minute before it must wait (4004)."""
    trusted_proxies: tuple[str, ...] = ()
    """Proxies (IP addresses or networks, comma-separated) whose X-Forwarded-For names the client."""
    scenarios_dir: str = ""
    """Folder of scenario folders for the HTTP API. Empty: the scenarios/ shipped with Liaison."""
    snapshot_every: int = 5_000
    """Events after which an instance writes a state snapshot of an exercise to Redis."""
    snapshot_seconds: float = 60.0
    """Seconds after which it writes one anyway, if the exercise changed since."""
    metrics_token: str = ""
    """Bearer token that may read /metrics (and nothing else). Empty: only the admin token may."""

    @property
    def scenarios(self) -> Path:
        if self.scenarios_dir:
            return Path(self.scenarios_dir)
        return shipped_scenarios()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = PREFIX + field.name.upper()
            if name not in env:
                continue
            values[field.name] = _parse(name, env[name], field.default)
        return cls(**values)

    def with_instance_id(self) -> Settings:
        """These settings with a concrete instance id (random when none was given)."""
        if self.instance_id:
            return self
        from dataclasses import replace

        return replace(self, instance_id=secrets.token_hex(4))


def setting_names() -> list[str]:
    return [PREFIX + field.name.upper() for field in fields(Settings)]


def _parse(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError("expected true or false")
            return lowered in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(item.strip() for item in raw.split(",") if item.strip())
        return raw.strip()
    except ValueError as error:
        raise SettingsError(f"{name}={raw!r}: {error}") from None
