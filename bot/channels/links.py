"""Short-lived links to files the bot cannot send on a channel (DOCX, XLSX and charts on Zalo).

`FileLinks.link_for` keeps the file under `<data_dir>/links/` and returns `<PUBLIC_BASE_URL>/f/<token>/<name>`;
the bot's web endpoint answers that path with `open(token)`. The token is 144 random bits, so only the person the
link was sent to can know it; it stops working after `FILE_LINK_MINUTES`. Without a public HTTPS base URL there
are no links (`NoLinks`), and the person is told where to get the file instead.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from bot.channels.zalo.render import LinkProvider, NoLinks, OutgoingFile
from bot.clock import Clock
from bot.config import Settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")


class FileLinks:
    """Files published for a short time under unguessable tokens."""

    def __init__(self, base_url: str, folder: Path, clock: Clock, ttl: timedelta) -> None:
        if not base_url.startswith("https://"):
            raise ValueError("file links need a public HTTPS base URL")
        self.base_url, self.folder, self.clock, self.ttl = base_url.rstrip("/"), folder, clock, ttl
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> LinkProvider:
        """Links when PUBLIC_BASE_URL is an HTTPS address, else none."""
        if not settings.public_base_url.startswith("https://"):
            return NoLinks()
        return cls(settings.public_base_url, settings.data_dir / "links", clock,
                   timedelta(minutes=max(settings.file_link_minutes, 1)))

    def link_for(self, file: OutgoingFile) -> str | None:
        token = secrets.token_urlsafe(18)
        expires = self.clock.now() + self.ttl
        (self.folder / f"{token}.bin").write_bytes(file.content)
        meta = {"name": file.name, "chat_id": file.chat_id, "expires_at": expires.isoformat()}
        (self.folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return f"{self.base_url}/f/{token}/{quote(file.name)}"

    def open(self, token: str) -> tuple[str, bytes] | None:
        """(file name, content) for a live token; None for unknown, malformed or expired ones (then deleted)."""
        if not _TOKEN.match(token or ""):
            return None
        meta_path, data_path = self.folder / f"{token}.json", self.folder / f"{token}.bin"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if datetime.fromisoformat(meta["expires_at"]) <= self.clock.now():
                self._delete(token)
                return None
            return str(meta["name"]), data_path.read_bytes()
        except (OSError, ValueError, KeyError):
            return None

    def purge(self) -> int:
        """Delete every expired file; returns how many (a periodic task can call it)."""
        removed = 0
        for meta_path in self.folder.glob("*.json"):
            token = meta_path.stem
            try:
                expires = datetime.fromisoformat(json.loads(meta_path.read_text(encoding="utf-8"))["expires_at"])
            except (OSError, ValueError, KeyError):
                expires = self.clock.now()
            if expires <= self.clock.now():
                self._delete(token)
                removed += 1
        return removed

    def _delete(self, token: str) -> None:
        for suffix in (".json", ".bin"):
            (self.folder / f"{token}{suffix}").unlink(missing_ok=True)
