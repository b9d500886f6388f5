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
    office_chat_id: str = ""
    leadership_chat_id: str = ""
    invite_ttl_hours: int = 72
    working_hours_start: int = 8
    working_hours_end: int = 17

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
