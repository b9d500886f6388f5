"""Start-up: webhook mode needs a secret, no secret reaches the console or a log, one bootstrap invitation."""

from __future__ import annotations

import http.server
import io
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.__main__ import startup_failure
from bot.config import Settings
from bot.redact import Redactor, RedactingFilter, install
from bot.services.identity.base import RedeemStatus

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7301234567:AAFakeTokenForTheStartupTest_abcdefghij"
GOOD_SECRET = "S3cret_" + "x" * 40


def settings(**values) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=TOKEN, **values)


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, "has space" + "x" * 40, "ả" * 40, "x" * 257])
def test_webhook_without_a_good_secret_is_refused(secret):
    problems = settings(webhook_url="https://bot.example.vn", webhook_secret=secret).startup_problems()
    assert len(problems) == 1
    assert "WEBHOOK_SECRET" in problems[0] and "secrets.token_urlsafe(32)" in problems[0]
    assert "ít nhất 32 ký tự" in problems[0] and "at least 32 characters" in problems[0]


def test_good_secret_or_polling_may_start():
    assert settings(webhook_url="https://bot.example.vn", webhook_secret=GOOD_SECRET).startup_problems() == []
    assert settings(webhook_url="", webhook_secret="").startup_problems() == []


def run_bot(tmp_path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
            "TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "", "WEBHOOK_SECRET": "", "TELEGRAM_API_BASE_URL": "", **env}
    return subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=full, capture_output=True,
                          text=True, timeout=60)


def test_webhook_process_refuses_to_start(tmp_path):
    done = run_bot(tmp_path, WEBHOOK_URL="https://bot.example.vn", WEBHOOK_SECRET="abc")
    assert done.returncode == 2
    assert "WEBHOOK_SECRET" in done.stderr and TOKEN not in done.stdout + done.stderr


class NotFound(http.server.BaseHTTPRequestHandler):
    """A mistyped TELEGRAM_API_BASE_URL: every method answers 404, which PTB reports as InvalidToken."""

    def do_POST(self) -> None:  # noqa: N802
        body = b'{"ok":false,"error_code":404,"description":"Not Found"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_rejected_token_prints_a_clean_message_without_the_token(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run_bot(tmp_path, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{server.server_port}/bot")
    finally:
        server.shutdown()
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Telegram không chấp nhận TELEGRAM_BOT_TOKEN" in output  # anything PTB logs on the way is redacted


def test_every_log_path_is_redacted(monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install(Redactor([TOKEN, GOOD_SECRET]))
    log = logging.getLogger("startup-test")
    log.error("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected; secret {GOOD_SECRET}")
    except RuntimeError:
        log.exception("failed")
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    try:
        raise ValueError(TOKEN)
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    text = stream.getvalue() + err.getvalue()
    assert TOKEN not in text and GOOD_SECRET not in text
    assert text.count("<secret>") == 4 and "RuntimeError" in text
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)


def test_startup_failure_text_hides_secrets():
    from telegram.error import InvalidToken, NetworkError

    redact = Redactor([TOKEN])
    assert TOKEN not in startup_failure(InvalidToken(f"The token `{TOKEN}` was rejected"), redact)
    text = startup_failure(NetworkError(f"https://x/bot{TOKEN}/getMe unreachable"), redact)
    assert TOKEN not in text and "<secret>" in text


def test_one_pending_bootstrap_invitation(services):
    first = services.invites.bootstrap_office_invite()
    second = services.invites.bootstrap_office_invite()
    third = services.invites.bootstrap_office_invite()
    assert len({first, second, third}) == 3
    assert services.invites.redeem("telegram", "8001", first, "A", "vi").status == RedeemStatus.REVOKED
    assert services.invites.redeem("telegram", "8002", second, "B", "vi").status == RedeemStatus.REVOKED
    result = services.invites.redeem("telegram", "8003", third, "C", "vi")
    assert result.status == RedeemStatus.OK and result.actor.is_office
    assert services.invites.bootstrap_office_invite() is None


def test_start_up_imports_no_document_chart_or_postgresql_library():
    """The bot's start imports what every update needs and nothing more: the DOCX, XLSX and chart libraries load
    when a document or chart is made, and the PostgreSQL dialect when a PostgreSQL database is opened (on
    SQLite, never). Each is a tenth of a second or more of every start (benchmarks/cold_start.py)."""
    import subprocess
    import sys

    from bot.config import PROJECT_ROOT

    heavy = ("docx", "openpyxl", "matplotlib", "alembic", "sqlalchemy.dialects.postgresql", "holidays")
    code = ("import sys, bot.__main__, bot.app, handlers.registry, bot.transport.runtime; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
