"""The project's file store for files whose only other copy lives at an address that expires: a photo a Zalo user
sent (Zalo keeps it at a media URL for a limited time). Kept under `<DATA_DIR>/kept/`, beside the file links of
`bot/channels/links.py`, and archived by `python -m bot backup` (`bot.backup.STORED_FOLDERS`).

A kept file is known by the file id the bot already stores with the answer or the difficulty (`zalo-file/...`), so
nothing else changes where it is referred to: whoever opens the file (the desk, the Office's chat, on either
channel) asks the store first and the address only if the file is not (yet) kept. Channel-neutral: bytes in,
bytes out, no network (fetching is the channel's business, after the commit: docs/ZALO.md, "Evidence is kept").
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.config import Settings

FOLDER = "kept"  # under DATA_DIR


class KeptFiles:
    """Files stored by file id, at most `max_bytes` each; writes are atomic (a reader never sees half a file)."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder, self.max_bytes = folder, max_bytes

    def _path(self, file_id: str) -> Path:
        return self.folder / f"{hashlib.sha256(file_id.encode('utf-8')).hexdigest()}.bin"

    def has(self, file_id: str) -> bool:
        return bool(file_id) and self._path(file_id).is_file()

    def open(self, file_id: str) -> bytes | None:
        """The kept content, or None when the file is not kept."""
        if not file_id:
            return None
        try:
            return self._path(file_id).read_bytes()
        except OSError:
            return None

    def keep(self, file_id: str, content: bytes) -> bool:
        """Store `content` for `file_id` (False, nothing written, above the size limit or for an empty file)."""
        if not file_id or not content or len(content) > self.max_bytes:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(file_id)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(content)
        os.replace(partial, path)
        return True


def kept_files(settings: Settings) -> KeptFiles:
    """The process's store: DATA_DIR/kept, ZALO_FILE_MAX_MB per file."""
    return KeptFiles(settings.data_dir / FOLDER, max(settings.zalo_file_max_mb, 1) * 1024 * 1024)
