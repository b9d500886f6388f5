"""Configuration from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_SECRET_MIN = 32
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{%d,256}" % WEBHOOK_SECRET_MIN)  # Telegram's alphabet and limit
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class Settings(BaseSettings):
    """Every setting the bot reads; names match the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    telegram_api_base_url: str = ""
    database_url: str = ""
    data_dir: Path = PROJECT_ROOT / "data"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    organization_file: Path = PROJECT_ROOT / "config" / "organization.yaml"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    # Update handling (docs/UPDATES.md): worker threads per process (0 = 1 on SQLite, 2 on PostgreSQL),
    # Telegram's concurrent webhook connections (1 keeps arrival order; storing an update takes milliseconds),
    # and the bot-wide message pace (Telegram: 30/s; the sender keeps under it with a margin: `bot/transport/policy.py`).
    update_workers: int = 0
    webhook_max_connections: int = 1
    send_rate: float = 28.0
    # How long a sender's lease on its channel's budget lasts unrenewed (renewed every second): after a kill -9,
    # the silence before another process sends. Shorter hands over sooner but needs a loop that never stalls that
    # long; the crash test runs at 3 s to make each kill cheaper.
    sender_lease_seconds: float = 5.0
    office_chat_id: str = ""
    leadership_chat_id: str = ""
    status_board_minutes: int = 5  # how often the group's status message is checked for changes (live)
    status_summary_weekdays: str = "mon"  # short summary on these days of the reporting window ("" = none)
    status_summary_time: str = "08:00"  # local time of the scheduled summaries
    status_summary_after_deadline: bool = True  # and the morning after the deadline
    invite_ttl_hours: int = 72
    working_hours_start: int = 8
    working_hours_end: int = 17
    # Reminders (bot/services/reminders/schedule.py): working days before each unit's deadline, the deadline day itself,
    # every N working days while overdue (0 = never), the opening notice and the Office's digest (working days
    # before the deadline, 0 = none). Their pace is the sender's (SEND_RATE), as for every message.
    reminder_days_before: list[int] = [7, 3, 1]
    reminder_on_deadline_day: bool = True
    reminder_overdue_every: int = 2
    reminder_opening_notice: bool = True
    reminder_digest_days_before: int = 1
    # Follow-up of escalated difficulties, in working days before a reminder goes to whoever holds the item.
    escalation_office_days: int = 2
    escalation_director_days: int = 3
    escalation_unit_days: int = 3
    escalation_urgent_days: int = 1
    # Zalo Bot Platform (docs/ZALO.md). Secrets are SecretStr so a printed Settings never shows them.
    zalo_bot_token: SecretStr = SecretStr("")
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"  # the SDK still points at bot-api.zapps.me
    zalo_webhook_url: str = ""  # public HTTPS address Zalo calls; long polling (getUpdates) when empty
    zalo_webhook_secret: SecretStr = SecretStr("")  # 8-256 characters, checked on X-Bot-Api-Secret-Token
    zalo_send_rate: float = 5.0  # messages/second across chats: Zalo publishes no figure, so stay well below Telegram
    zalo_monthly_quota: int = 0  # outbound messages per month of the bot's plan (0 = unknown; 429 still stops sends)
    # A photo a Zalo user sends as evidence is fetched from its media URL (which expires) into DATA_DIR/kept/,
    # up to this size; above it the URL alone is kept (docs/ZALO.md, "Evidence is kept").
    zalo_file_max_mb: int = 20
    public_base_url: str = ""  # public HTTPS base of the bot's own web endpoint (file links for Zalo users)
    file_link_minutes: int = 60  # how long a file link stays valid
    # Personal data (docs/PRIVACY.md): days the daily cleanup keeps what is only needed for a while: processed
    # updates and settled outgoing calls (both hold message texts), a pending question nobody answered, and
    # invitations and linking codes after they expired. Reports, difficulties and the audit log are not touched.
    retention_inbox_days: int = 7
    retention_outbox_days: int = 7
    retention_dialog_days: int = 30
    retention_codes_days: int = 30
    # Typed invitation and linking codes: failed attempts allowed within the window, per chat and per channel (all
    # chats of Telegram, or of Zalo, together: a flood from many chats). Counted in the audit log, so every process
    # agrees; after the limit a code is not even looked up until the window has passed.
    code_attempts_per_chat: int = 5
    code_attempts_per_channel: int = 100
    code_attempts_window_minutes: int = 15
    # Zalo has no update_id and was measured handing out again updates it had already delivered: the keys of
    # processed Zalo updates (message ids, without text or chat) are kept this long so a replay is recognised,
    # and an update older than this is not taken at all (docs/ZALO.md, "Replays").
    zalo_replay_days: int = 180
    # The desk (bot/web/): where its sign-in links point (default: WEBHOOK_URL's server, else this machine's
    # webhook port, or the desk's port when it runs apart), whether its cookie is Secure (off only for
    # http://127.0.0.1 in development and tests), whether a `python -m bot desk` process serves it (then `run`
    # leaves it out: its pages no longer share the chat's interpreter), where that process listens (the
    # simulator's desk, too, is on DESK_PORT, on 127.0.0.1), and how many worker processes it forks on that one
    # socket (each renders one page at a time: threads in one interpreter only wait for each other's lock).
    desk_base_url: str = ""
    desk_cookie_secure: bool = True
    desk_separate: bool = False
    desk_listen: str = "127.0.0.1"
    desk_port: int = 8765
    desk_processes: int = Field(default=2, ge=1, le=32)

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("DEFAULT_LOCALE must be 'vi' or 'en'")
        return value

    def startup_problems(self) -> list[str]:
        """Reasons not to start the live bot, each in Vietnamese and English (empty when it may start)."""
        problems = []
        if self.webhook_url and not WEBHOOK_SECRET.fullmatch(self.webhook_secret):
            # Without a secret anyone who reaches the port can post a forged update "from" any person.
            problems.append(
                f"WEBHOOK_URL đã được đặt nhưng WEBHOOK_SECRET trống hoặc không hợp lệ: cần ít nhất "
                f"{WEBHOOK_SECRET_MIN} ký tự, chỉ gồm chữ cái A-Z a-z, chữ số, dấu _ và dấu -. Tạo một chuỗi bí mật "
                f"bằng lệnh:\n  {MAKE_SECRET}\nrồi ghi vào WEBHOOK_SECRET trong tệp .env.\n"
                f"WEBHOOK_URL is set but WEBHOOK_SECRET is empty or invalid: it needs at least {WEBHOOK_SECRET_MIN} "
                f"characters, only A-Z a-z 0-9 _ and -. Make one with the command above and put it in "
                f"WEBHOOK_SECRET in .env.")
        problems += self._zalo_problems()
        return problems

    def _zalo_problems(self) -> list[str]:
        """Zalo calls only HTTPS webhooks and needs their 8-256-character secret; file links need HTTPS too."""
        problems = []
        if not self.zalo_bot_token.get_secret_value():
            return problems
        if self.zalo_webhook_url and not self.zalo_webhook_url.startswith("https://"):
            problems.append(
                "ZALO_WEBHOOK_URL phải là địa chỉ HTTPS (Zalo chỉ gọi webhook qua HTTPS), hoặc để trống để nhận tin "
                "bằng cách hỏi định kỳ (getUpdates).\n"
                "ZALO_WEBHOOK_URL must be an HTTPS address (Zalo calls webhooks over HTTPS only), or empty to "
                "receive by long polling (getUpdates).")
        secret = self.zalo_webhook_secret.get_secret_value()
        if self.zalo_webhook_url and not 8 <= len(secret) <= 256:
            problems.append(
                f"ZALO_WEBHOOK_URL đã được đặt nhưng ZALO_WEBHOOK_SECRET trống hoặc không hợp lệ: cần từ 8 đến 256 "
                f"ký tự. Tạo một chuỗi bí mật bằng lệnh:\n  {MAKE_SECRET}\nrồi ghi vào ZALO_WEBHOOK_SECRET trong tệp "
                f".env.\nZALO_WEBHOOK_URL is set but ZALO_WEBHOOK_SECRET is empty or invalid: it needs 8 to 256 "
                f"characters. Make one with the command above and put it in ZALO_WEBHOOK_SECRET in .env.")
        if self.public_base_url and not self.public_base_url.startswith("https://"):
            problems.append(
                "PUBLIC_BASE_URL phải là địa chỉ HTTPS (đường dẫn tải tệp cho người dùng Zalo), hoặc để trống.\n"
                "PUBLIC_BASE_URL must be an HTTPS address (file links for Zalo users), or empty.")
        return problems

    @property
    def desk_url(self) -> str:
        """The base of the desk's links: DESK_BASE_URL, else the webhook server's public address (the proxy in
        front of it passes /desk to whichever process serves the desk), else this machine's port of the desk."""
        port = self.desk_port if self.desk_separate else self.webhook_port
        base = self.desk_base_url or self.webhook_url or self.zalo_webhook_url or f"http://127.0.0.1:{port}"
        return base.rstrip("/")

    @property
    def desk_enabled(self) -> bool:
        """`python -m bot run` serves the desk beside its webhooks (or on the webhook port when DESK_BASE_URL is
        set), unless a desk process of its own serves it (DESK_SEPARATE)."""
        return not self.desk_separate and bool(self.desk_base_url or self.webhook_url or self.zalo_webhook_url)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'thidua.sqlite3'}"
