"""The desk behind the reverse proxy of the webhooks (README "The desk", Caddyfile): served as the desk process
serves it (`Runtime.serve_desk`, tornado without trusting X-Forwarded-*), reached as the proxy forwards a browser's
HTTPS request.
The session cookie is Secure and `__Host-` whatever the hop from the proxy, redirects and every link, form and
script address are paths (nothing names the internal address), and the links sent in chat start with the public
address."""

from __future__ import annotations

import asyncio
import re
import socket
import time

import httpx

from bot.config import Settings
from bot.transport.runtime import Runtime
from tests.desk_site import DeskSite, free_port

PUBLIC = "https://thidua.example.vn"
FORWARDED = {"Host": "thidua.example.vn", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "thidua.example.vn",
             "X-Forwarded-For": "203.0.113.7"}  # what Caddy's reverse_proxy adds
ADDRESSES = re.compile(r'(?:href|action|src)="([^"]*)"')


def test_the_links_sent_in_chat_start_with_the_public_address():
    assert Settings(_env_file=None, webhook_url=PUBLIC + "/").desk_url == PUBLIC
    assert Settings(_env_file=None, zalo_webhook_url=PUBLIC).desk_url == PUBLIC  # Zalo is told <it>/zalo
    assert Settings(_env_file=None, desk_base_url=PUBLIC, webhook_url="https://other.example.vn").desk_url == PUBLIC
    # The desk in its own process behind the same proxy (compose.yaml): the same public address, in either process.
    assert Settings(_env_file=None, webhook_url=PUBLIC, desk_separate=True).desk_url == PUBLIC
    assert Settings(_env_file=None).desk_cookie_secure  # Secure unless turned off for http://127.0.0.1


def test_behind_a_tls_proxy_the_cookie_is_secure_and_every_address_is_a_path(settings, db, clock):  # noqa: ANN001
    site = DeskSite(settings, db, clock)
    try:
        port = free_port()
        live = site.settings.model_copy(update={"desk_base_url": PUBLIC, "desk_cookie_secure": True,
                                                "desk_separate": True, "desk_listen": "127.0.0.1", "desk_port": port})
        runtime = Runtime(live, site.sim.services, site.sim.i18n)

        async def start():  # noqa: ANN202 - what `python -m bot desk` runs, on the site's loop
            stop = asyncio.Event()
            return stop, asyncio.get_running_loop().create_task(runtime.serve_desk(stop))

        stop, serving = site.call(start())
        listening(port)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=FORWARDED, follow_redirects=False)
        office = site.actor("vanthu")
        secret = site.run(lambda: site.sim.services.desk.issue_link(office)[0])
        opened = client.get(f"/desk/login/{secret}")
        assert opened.status_code == 200
        signed = client.post("/desk/login", data={"link": secret})
        assert signed.status_code == 303 and signed.headers["location"] == "/desk/"
        cookie = signed.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert cookie.startswith("__Host-desk=") and {"secure", "httponly", "samesite", "path"} <= attributes
        assert "samesite=strict" in cookie.lower() and "path=/;" in cookie.lower() + ";" and "domain" not in attributes
        jar = {"Cookie": cookie.split(";", 1)[0]}  # what the browser sends back over HTTPS, through the proxy
        pages = [opened] + [client.get(path, headers=jar) for path in ("/desk/", "/desk/status", "/desk/questions",
                                                                        "/desk/difficulties")]
        for page in pages:
            assert page.status_code == 200, page.request.url
            assert "127.0.0.1" not in page.text
            assert all(a.startswith(("/", "#", "?", "data:")) for a in ADDRESSES.findall(page.text)), \
                (page.request.url, ADDRESSES.findall(page.text))
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', pages[1].text).group(1)
        out = client.post("/desk/logout", data={"csrf": csrf}, headers=jar)
        assert out.status_code == 303 and out.headers["location"] == "/desk/signed-out"
        assert client.get("/desk/", headers=jar).status_code == 401
        site.call(_stop(stop, serving))
    finally:
        site.stop()


def listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "the desk never listened"
            time.sleep(0.02)


async def _stop(stop: asyncio.Event, serving: asyncio.Task) -> None:
    stop.set()
    await serving
