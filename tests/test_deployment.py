"""compose.yaml, Dockerfile and Caddyfile: what `docker compose up -d` needs, checked without Docker, and with
`docker compose config` where Docker Compose is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.config import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
CADDYFILE = (PROJECT_ROOT / "Caddyfile").read_text(encoding="utf-8")
ENV_EXAMPLE = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")


def service(name: str) -> dict:
    return COMPOSE["services"][name]


def test_the_bot_its_desk_postgres_and_caddy_each_have_a_health_check_and_rotated_logs() -> None:
    assert set(COMPOSE["services"]) == {"bot", "desk", "db", "proxy"}
    for name, spec in COMPOSE["services"].items():
        assert spec["healthcheck"]["test"], name
        assert spec["restart"] == "unless-stopped", name
        assert spec["logging"]["options"]["max-size"] and spec["logging"]["options"]["max-file"], name
    assert service("bot")["depends_on"]["db"]["condition"] == "service_healthy"
    assert service("desk")["depends_on"]["bot"]["condition"] == "service_healthy"  # the bot migrates first
    assert {name: c["condition"] for name, c in service("proxy")["depends_on"].items()} == {
        "bot": "service_healthy", "desk": "service_healthy"}


def test_data_lives_in_named_volumes() -> None:
    declared = set(COMPOSE["volumes"])
    assert {"pgdata", "botdata"} <= declared
    mounts = {name: [v.split(":")[:2] for v in spec.get("volumes", [])] for name, spec in COMPOSE["services"].items()}
    assert ["pgdata", "/var/lib/postgresql/data"] in mounts["db"]
    assert ["botdata", "/data"] in mounts["bot"]
    assert mounts["desk"] == mounts["bot"]  # the same file store: attachments kept under DATA_DIR
    for name, pairs in mounts.items():
        for source, _target in pairs:
            assert source in declared or source.startswith("./"), (name, source)


def test_the_bot_takes_its_settings_from_env_and_finds_postgres_by_service_name() -> None:
    bot = service("bot")
    assert bot["env_file"] == ".env"
    fields = {name.upper() for name in Settings.model_fields}
    assert set(bot["environment"]) <= fields  # a misspelt setting would be silently ignored
    assert re.fullmatch(r"postgresql\+psycopg://thidua:\$\{POSTGRES_PASSWORD\}@db:5432/thidua",
                        bot["environment"]["DATABASE_URL"])
    assert service("db")["environment"]["POSTGRES_DB"] == "thidua"
    desk = service("desk")
    assert desk["env_file"] == ".env" and set(desk["environment"]) <= fields
    assert {key: desk["environment"][key] for key in ("DATABASE_URL", "DATA_DIR")} == {
        key: bot["environment"][key] for key in ("DATABASE_URL", "DATA_DIR")}
    for variable in ("DESK_SEPARATE", "DESK_LISTEN", "DESK_PORT"):
        assert re.search(rf"^{variable}=", ENV_EXAMPLE, re.M), f"{variable} is not documented in .env.example"
    for variable in ("POSTGRES_PASSWORD", "BOT_DOMAIN"):
        assert re.search(rf"^{variable}=", ENV_EXAMPLE, re.M), f"{variable} is not documented in .env.example"


def test_the_desk_is_the_same_image_run_as_its_own_process_and_the_bot_leaves_it_out() -> None:
    bot, desk = service("bot"), service("desk")
    assert desk["image"] == bot["image"] and desk["build"] == bot["build"]
    assert desk["command"] == ["python", "-m", "bot", "desk"]
    assert desk["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "health", "--desk"]
    assert bot["environment"]["DESK_SEPARATE"] == "true" and "command" not in bot  # the image's `bot run`
    assert desk["environment"]["DESK_LISTEN"] == "0.0.0.0"
    assert "ports" not in bot and "ports" not in desk  # only Caddy is published


def test_caddy_proxies_exactly_the_bots_paths_to_its_port_and_the_desk_to_the_desk() -> None:
    port, desk_port = service("bot")["environment"]["WEBHOOK_PORT"], service("desk")["environment"]["DESK_PORT"]
    assert re.search(rf"^EXPOSE {port} {desk_port}$", DOCKERFILE, re.M)
    assert re.search(r"@bot path /telegram /zalo /f/\*\n\s*handle @bot \{\n\s*reverse_proxy bot:" + port, CADDYFILE)
    assert re.search(r"@desk path /desk /desk/\*\n\s*handle @desk \{\n\s*reverse_proxy desk:" + desk_port, CADDYFILE)
    assert "respond 404" in CADDYFILE  # nothing else of the bot's server is published
    proxy = service("proxy")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])


def test_the_images_health_check_is_a_command_the_bot_has(tmp_path: Path, monkeypatch, capsys) -> None:
    assert service("bot")["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "health"]
    assert 'CMD ["python", "-m", "bot", "health"]' in DOCKERFILE
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "")
    assert main(["health"]) == 1  # nothing migrated yet
    assert main(["migrate"]) == 0
    assert main(["health"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("healthy")
    assert "postgresql-client" in DOCKERFILE  # pg_dump for `python -m bot backup`


def test_the_desks_health_check_asks_the_desk_port(tmp_path: Path, monkeypatch, capsys) -> None:
    import socket

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("WEBHOOK_URL", "https://thidua.example.vn")  # the bot's port is not the desk's
    assert main(["migrate"]) == 0
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        monkeypatch.setenv("DESK_LISTEN", "127.0.0.1")
        monkeypatch.setenv("DESK_PORT", str(listening.getsockname()[1]))
        assert main(["health", "--desk"]) == 0
        assert capsys.readouterr().out.rstrip().endswith("healthy")
    assert main(["health", "--desk"]) == 1  # closed: nothing answers
    assert "unhealthy: nothing answers" in capsys.readouterr().out


def _compose_available() -> str | None:
    """Why `docker compose config` cannot run here, or None when it can."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"the Docker Compose plugin is not installed ({(probe.stderr or probe.stdout).strip()[:80]})"
    return None


@pytest.mark.skipif(_compose_available() is not None, reason=str(_compose_available()))
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    for name in ("compose.yaml", "Caddyfile", "Dockerfile"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    (tmp_path / ".env").write_text(ENV_EXAMPLE.replace("POSTGRES_PASSWORD=", "POSTGRES_PASSWORD=x")
                                   .replace("BOT_DOMAIN=", "BOT_DOMAIN=bot.example.vn"), encoding="utf-8")
    done = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
