"""Configuration from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # and the bot-wide message pace (Telegram: about 30/s; the sender keeps one under `send_hard_limit`).
    update_workers: int = 0
    webhook_max_connections: int = 1
    send_rate: float = 28.0
    office_chat_id: str = ""
    leadership_chat_id: str = ""
    status_board_minutes: int = 5  # how often the group's status message is checked for changes (live)
    status_summary_weekdays: str = "mon"  # short summary on these days of the reporting window ("" = none)
    status_summary_time: str = "08:00"  # local time of the scheduled summaries
    status_summary_after_deadline: bool = True  # and the morning after the deadline
    invite_ttl_hours: int = 72
    working_hours_start: int = 8
    working_hours_end: int = 17
    # Reminders (bot/reminders/schedule.py): working days before each unit's deadline, the deadline day itself,
    # every N working days while overdue (0 = never), the opening notice, the Office's digest (working days
    # before the deadline, 0 = none) and the fan-out's pace (Telegram allows about 30 messages/second).
    reminder_days_before: list[int] = [7, 3, 1]
    reminder_on_deadline_day: bool = True
    reminder_overdue_every: int = 2
    reminder_opening_notice: bool = True
    reminder_digest_days_before: int = 1
    reminder_send_rate: float = 25.0
    # Follow-up of escalated difficulties, in working days before a reminder goes to whoever holds the item.
    escalation_office_days: int = 2
    escalation_director_days: int = 3
    escalation_unit_days: int = 3
    escalation_urgent_days: int = 1

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("DEFAULT_LOCALE must be 'vi' or 'en'")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'thidua.sqlite3'}"
