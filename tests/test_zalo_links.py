"""Short-lived file links for Zalo users: only with a public HTTPS address, unguessable, expiring."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest

from bot.channels.links import FileLinks
from bot.channels.zalo.render import NoLinks, OutgoingFile
from bot.clock import ManualClock
from bot.config import Settings

FILE = OutgoingFile("Báo cáo 6 tháng.docx", b"PK\x03\x04 docx", chat_id=(1 << 60) + 3)


def test_no_public_https_address_means_no_links(tmp_path, clock: ManualClock):
    for base in ("", "http://bot.example.vn"):
        settings = Settings(_env_file=None, data_dir=tmp_path, public_base_url=base)
        assert isinstance(FileLinks.from_settings(settings, clock), NoLinks)
    with pytest.raises(ValueError):
        FileLinks("http://bot.example.vn", tmp_path, clock, timedelta(minutes=5))


def test_link_serves_the_file_until_it_expires(tmp_path, clock: ManualClock):
    settings = Settings(_env_file=None, data_dir=tmp_path, public_base_url="https://bot.example.vn/",
                        file_link_minutes=60)
    links = FileLinks.from_settings(settings, clock)
    url = links.link_for(FILE)
    assert url.startswith("https://bot.example.vn/f/") and unquote(url).endswith("/Báo cáo 6 tháng.docx")
    token = url.split("/f/", 1)[1].split("/", 1)[0]
    assert links.open(token) == (FILE.name, FILE.content)
    assert links.link_for(FILE) != url  # every sending gets its own token
    clock.advance(timedelta(minutes=61))
    assert links.open(token) is None
    assert not (tmp_path / "links" / f"{token}.bin").exists()
    assert links.purge() == 1  # the second link expired too


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "a" * 23, "a/" * 12, "x" * 24])
def test_malformed_or_unknown_tokens_open_nothing(tmp_path, clock: ManualClock, token: str):
    links = FileLinks("https://bot.example.vn", tmp_path, clock, timedelta(minutes=5))
    assert links.open(token) is None
