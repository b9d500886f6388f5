"""What the documents say runs is what runs: no JobQueue, no AIORateLimiter, and no extra installed for them."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import requires

import pytest
from pydantic import SecretStr
from telegram.warnings import PTBUserWarning

from bot.config import PROJECT_ROOT, Settings
from bot.transport.runtime import Runtime

UNUSED_EXTRAS = {"job-queue", "rate-limiter"}  # PTB's APScheduler and aiolimiter: docs/DEVELOPING.md "Periodic work"


def _ptb_extras(requirements: list[str]) -> set[str]:
    extras: set[str] = set()
    for requirement in requirements:
        match = re.match(r"python-telegram-bot\[([^\]]*)\]", requirement.replace(" ", ""))
        if match:
            extras |= set(match.group(1).split(","))
    return extras


def test_pyproject_asks_for_no_extra_the_runtime_does_not_use():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = _ptb_extras(project["dependencies"])
    assert "webhooks" in extras  # tornado serves the webhooks and the file links
    assert not extras & UNUSED_EXTRAS


def test_the_installed_package_asks_for_them_neither():
    """The installed metadata (`make install` re-runs when pyproject.toml changes) says the same."""
    assert not _ptb_extras(requires("tro-ly-thi-dua") or []) & UNUSED_EXTRAS


async def test_the_live_application_has_no_job_queue_and_no_rate_limiter(tmp_path):
    """The Application a live worker thread or the ticker builds: tasks run on the ticker, the sender paces."""
    settings = Settings(_env_file=None, telegram_bot_token="123456:LIVE", database_url=f"sqlite:///{tmp_path}/l.db",
                        zalo_bot_token=SecretStr(""))
    from bot.app import build_runtime

    runtime: Runtime = build_runtime(settings)
    app = runtime._build_app()  # noqa: SLF001
    try:
        with pytest.warns(PTBUserWarning, match="No `JobQueue` set up"):
            assert app.job_queue is None
        assert app.bot.rate_limiter is None
        assert [task.name for task in app.bot_data.ticker.tasks]  # the periodic tasks are there, for the ticker
    finally:
        runtime.services.db.dispose()
