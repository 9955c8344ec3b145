"""docker-compose.yml, deploy/nginx.conf and the Dockerfile point at each other consistently."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from server.settings import Settings, setting_names

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, Any] = COMPOSE["services"]
INSTANCES = ["liaison-1", "liaison-2"]
NGINX = re.sub(r"#[^\n]*", "", (ROOT / "deploy" / "nginx.conf").read_text())  # no comments


def environment(service: str) -> dict[str, str]:
    """A service's environment as a mapping, whichever of the two compose forms it uses."""
    env = SERVICES[service].get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def command(service: str) -> list[str]:
    value = SERVICES[service]["command"]
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def nginx_directives(name: str) -> list[list[str]]:
    """The arguments of every `name ...;` directive in nginx.conf."""
    return [line.split() for line in re.findall(rf"(?:^|[{{;\s]){name}\s+([^;]*);", NGINX)]


def upstream_servers() -> set[str]:
    (body,) = re.findall(r"\bupstream\s+\w+\s*\{([^}]*)\}", NGINX)
    return {line.split()[1] for line in body.split(";") if line.split()[:1] == ["server"]}


def redis_port() -> int:
    args = command("redis")
    return int(args[args.index("--port") + 1]) if "--port" in args else 6379


def test_the_services_exist() -> None:
    assert {"redis", *INSTANCES, "lb"} <= SERVICES.keys()


@pytest.mark.parametrize("service", INSTANCES)
def test_each_instance_uses_the_redis_service(service: str) -> None:
    url = urlsplit(environment(service)["LIAISON_REDIS_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis"
    assert (url.port or 6379) == redis_port()
    depends_on = SERVICES[service]["depends_on"]
    assert "redis" in depends_on


@pytest.mark.parametrize("service", INSTANCES)
def test_each_instance_runs_liaison_on_all_interfaces(service: str) -> None:
    assert SERVICES[service]["build"] == "."
    assert command(service) == ["liaison", "serve"]
    env = environment(service)
    assert env["LIAISON_HOST"] == "0.0.0.0"
    assert Settings.from_env(env).port == 8080
    assert env["LIAISON_ADMIN_TOKEN"].startswith("${LIAISON_ADMIN_TOKEN:?")


def test_the_instances_have_distinct_names() -> None:
    names = [environment(service).get("LIAISON_INSTANCE_ID") for service in INSTANCES]
    assert len(set(names)) == len(INSTANCES)


def test_the_load_balancer_sends_to_exactly_the_instances() -> None:
    expected = {f"{service}:{environment(service)['LIAISON_PORT']}" for service in INSTANCES}
    assert upstream_servers() == expected
    (proxy_pass,) = nginx_directives("proxy_pass")
    (upstream,) = re.findall(r"\bupstream\s+(\w+)\s*\{", NGINX)
    assert proxy_pass == [f"http://{upstream}"]


def test_the_load_balancer_passes_websocket_upgrades() -> None:
    assert nginx_directives("proxy_http_version") == [["1.1"]]
    headers = {args[0]: args[1] for args in nginx_directives("proxy_set_header")}
    assert headers["Upgrade"] == "$http_upgrade"
    assert headers["Connection"] in {"$connection_upgrade", '"upgrade"', "upgrade"}
    ((timeout,),) = nginx_directives("proxy_read_timeout")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    match = re.fullmatch(r"(\d+)([smhd]?)", timeout)
    assert match is not None
    assert int(match[1]) * seconds[match[2] or "s"] >= 600, "idle WebSockets would be cut"


def test_the_load_balancer_is_published_and_mounts_its_config() -> None:
    lb = SERVICES["lb"]
    assert lb["image"].startswith("nginx:")
    (published,) = lb["ports"]
    host_port, container_port = str(published).split(":")[-2:]
    assert int(host_port) > 0
    assert nginx_directives("listen") == [[container_port]]
    (mount,) = lb["volumes"]
    source, target, mode = mount.split(":")
    assert (ROOT / source).resolve() == ROOT / "deploy" / "nginx.conf"
    assert target == "/etc/nginx/nginx.conf"
    assert mode == "ro"


def test_redis_keeps_an_append_only_file_in_a_named_volume() -> None:
    args = command("redis")
    assert args[args.index("--appendonly") + 1] == "yes"
    assert SERVICES["redis"]["image"].startswith("redis:")
    (volume,) = SERVICES["redis"]["volumes"]
    name, path = volume.split(":")
    assert name in COMPOSE["volumes"]
    assert path == "/data"


def test_every_liaison_variable_in_compose_is_a_setting() -> None:
    used = set(re.findall(r"\bLIAISON_[A-Z0-9_]+\b", COMPOSE_TEXT))
    assert used
    assert used <= set(setting_names()), f"not settings: {sorted(used - set(setting_names()))}"
    for service in INSTANCES:
        assert set(environment(service)) <= set(setting_names())


def test_the_image_runs_liaison_serve() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^RUN pip install \.", dockerfile, flags=re.MULTILINE)
    assert re.search(r'^CMD \["liaison", "serve"\]', dockerfile, flags=re.MULTILINE)
    assert set(re.findall(r"\bLIAISON_[A-Z0-9_]+\b", dockerfile)) <= set(setting_names())


def healthcheck_command(test: list[str] | str) -> list[str]:
    """A compose/Docker healthcheck `test` as the argv it runs (CMD form, or CMD-SHELL/string)."""
    if isinstance(test, str):
        return ["sh", "-c", test]
    if test[0] == "CMD-SHELL":
        return ["sh", "-c", test[1]]
    assert test[0] == "CMD", test
    return [str(part) for part in test[1:]]


def dockerfile_healthcheck() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = re.findall(r"^HEALTHCHECK\b.*$", dockerfile, flags=re.MULTILINE)
    exec_form = line.split(" CMD ", 1)[1].strip()
    parsed: list[str] = yaml.safe_load(exec_form)  # the exec form is a JSON array
    return parsed


@pytest.mark.parametrize("service", INSTANCES)
def test_each_instance_has_a_readiness_healthcheck(service: str) -> None:
    check = SERVICES[service]["healthcheck"]
    argv = healthcheck_command(check["test"])
    assert argv[:2] == ["python", "-c"], "the image has python, not curl"
    assert "/readyz" in argv[2]
    assert "LIAISON_PORT" in argv[2]
    assert "LIAISON_PORT" in environment(service)
    for key in ("interval", "timeout", "start_period"):
        assert re.fullmatch(r"\d+s", check[key]), key
    assert int(check["retries"]) >= 1


def test_the_load_balancer_waits_for_healthy_instances() -> None:
    depends_on = SERVICES["lb"]["depends_on"]
    assert set(depends_on) == set(INSTANCES)
    for service in INSTANCES:
        assert depends_on[service]["condition"] == "service_healthy"


def test_the_image_has_a_healthcheck_and_no_scenarios_override() -> None:
    argv = dockerfile_healthcheck()
    assert argv[:2] == ["python", "-c"]
    assert "/healthz" in argv[2]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "LIAISON_SCENARIOS_DIR" not in dockerfile, "the installed package carries the scenarios"
