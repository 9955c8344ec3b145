"""`/metrics` and `/readyz` of a real instance after real traffic, read with prometheus_client's
own text-format parser (what a Prometheus server would see)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.support import wait_until
from tests.test_compose import SERVICES, healthcheck_command

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(server: ServerProcess, token: str = ADMIN_TOKEN) -> Samples:
    async with httpx.AsyncClient() as http:
        answer = await http.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, metric: str, **labels: str) -> float:
    return samples.get((metric, frozenset(labels.items())), 0.0)


async def test_metrics_count_connections_commands_appends_and_fan_out(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "metrics")
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    mentor = await Wire.join(server.ws_url, code_of(created, "Mona Mentor"), binary=False)
    police = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    prosecutor = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    for i in range(5):
        await police.ok("message.post", text=f"hello {i}")
    again = await police.command("message.post", id="same", text="once")
    retried = await police.command("message.post", id="same", text="once")
    assert again["ok"] and retried["result"] == {"duplicate": True}
    refused = await prosecutor.command("exercise.pause")  # control only
    assert refused["error"]["code"] == "forbidden"
    unknown = await prosecutor.command("no.such.command")
    assert unknown["error"]["code"] == "unknown_command"

    samples = await scrape(server)
    assert value(samples, "liaison_connections", page="console", protocol="msgpack") == 1
    assert value(samples, "liaison_connections", page="observer", protocol="json") == 1
    assert value(samples, "liaison_connections", page="station", protocol="msgpack") == 2
    assert value(samples, "liaison_commands_total", name="message.post", outcome="ok") == 6
    assert value(samples, "liaison_commands_total", name="message.post", outcome="duplicate") == 1
    assert value(samples, "liaison_commands_total", name="exercise.pause", outcome="forbidden") == 1
    assert value(samples, "liaison_commands_total", name="unknown", outcome="unknown_command") == 1
    assert value(samples, "liaison_commands_total", name="exercise.start", outcome="ok") == 1
    # Every command written and every presence change went through append.lua.
    assert value(samples, "liaison_append_seconds_count", outcome="ok") >= 8
    assert value(samples, "liaison_append_seconds_bucket", outcome="ok", le="+Inf") >= 8
    assert value(samples, "liaison_fanout_seconds_count") >= 8
    assert value(samples, "liaison_hubs_loaded") == 1
    assert value(samples, "liaison_hub_load_seconds_count") == 1
    assert ("liaison_send_queue_frames", frozenset()) in samples
    assert ("liaison_send_queue_frames_max", frozenset()) in samples
    assert value(samples, "liaison_slow_consumers_kicked_total") == 0
    async with httpx.AsyncClient() as http:
        ready = (await http.get(server.url + "/readyz")).json()
    assert ready["status"] == "ready"
    assert value(samples, "liaison_instance_info", instance=ready["instance"]) == 1
    assert value(samples, "process_resident_memory_bytes") > 0

    for wire in (director, mentor, police, prosecutor):
        await wire.close()

    async def closed() -> bool:
        now = await scrape(server)
        return sum(v for (n, _), v in now.items() if n == "liaison_connections") == 0

    await wait_until(closed, within=10, message="connections still counted after they closed")


async def test_a_slow_consumer_and_redis_errors_show_in_the_metrics(
    fresh_redis: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(fresh_redis.url, "slow", send_queue="20")
    created = server.create_exercise()
    tiny = socket.socket()  # a small receive buffer, never read: the send queue fills
    tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tiny.connect(("127.0.0.1", server.port))
    slow = await Wire.open(server.ws_url, max_queue=1, sock=tiny)
    await slow.hello(code=code_of(created, "Nils Berg"))
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))

    async def kicked() -> bool:
        for i in range(20):
            await director.send(
                {
                    "type": "cmd",
                    "id": f"k{i}-{asyncio.get_running_loop().time()}",
                    "name": "announcement.make",
                    "args": {"audience": {"teams": ["NOR"]}, "text": "z" * 3990},
                }
            )
        await director.drain(0.05)
        return value(await scrape(server), "liaison_slow_consumers_kicked_total") >= 1

    await wait_until(kicked, within=30, interval=0.05, message="the slow consumer was not kicked")
    await director.close()
    await slow.close()

    fresh_redis.stop()  # Redis away: readiness says so, and the failures are counted
    async with httpx.AsyncClient() as http:
        assert (await http.get(server.url + "/readyz")).status_code == 503
    samples = await scrape(server)
    assert sum(v for (n, _), v in samples.items() if n == "liaison_redis_errors_total") >= 1


async def test_metrics_need_a_token_and_the_metrics_token_reads_nothing_else(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_url, "tokens", metrics_token="metrics-only")
    async with httpx.AsyncClient(base_url=server.url) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "metrics-only"}):
            refused = await http.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert "liaison_" not in refused.text
        listing = await http.get("/api/exercises", headers={"Authorization": "Bearer metrics-only"})
        assert listing.status_code == 401
    assert "liaison_hubs_loaded" in {name for name, _ in await scrape(server, "metrics-only")}


def test_the_compose_healthcheck_passes_against_a_ready_instance(server: ServerProcess) -> None:
    argv = healthcheck_command(SERVICES["liaison-1"]["healthcheck"]["test"])
    env = {**os.environ, "LIAISON_PORT": str(server.port)}
    ready = subprocess.run([sys.executable, *argv[1:]], env=env, timeout=10, check=False)
    assert ready.returncode == 0
    env["LIAISON_PORT"] = "1"  # nothing listens there
    down = subprocess.run([sys.executable, *argv[1:]], env=env, timeout=10, capture_output=True, check=False)
    assert down.returncode != 0
