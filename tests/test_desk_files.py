"""The desk's one download helper (`DeskHandler.send_attachment`): the file store's copy when there is one, else the
channel's; a safe file name; the type a browser may trust; nothing cached; a channel that fails gets a clear page."""

from __future__ import annotations



from bot.web.base import content_disposition, safe_filename, stored_path
from tests.desk_http import signed_in
from tests.desk_site import DeskSite


def raised_with(site: DeskSite, attachment: dict) -> int:
    actor = site.actor("khtc")
    view, _ = site.run(lambda: site.sim.services.escalations.raise_item(
        actor, title="Biên bản kèm theo", description="Có tệp.", attachment=attachment))
    return view.item_id


def test_names_are_one_safe_line_and_keep_their_extension():
    assert safe_filename("../../etc/passwd", "tep") == "_.._etc_passwd"
    assert safe_filename('báo cáo "q";.pdf', "tep") == "báo cáo _q__.pdf"
    assert safe_filename("\x00\x1b[31m.htaccess", "tep") == "htaccess"  # controls gone, never a hidden file
    assert safe_filename("  ", "vuong-mac-3.pdf") == "vuong-mac-3.pdf"
    long = safe_filename("Tờ trình " * 40 + ".docx", "tep")
    assert len(long) <= 150 and long.endswith(".docx")
    header = content_disposition("Đề xuất 2026.pdf", inline=False)
    assert header == "attachment; filename=\"De xuat 2026.pdf\"; filename*=UTF-8''%C4%90%E1%BB%81%20xu%E1%BA%A5t%202026.pdf"
    assert content_disposition("anh.jpg", inline=True).startswith("inline;")


def test_a_stored_path_must_stay_in_the_data_folder(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.pdf").write_bytes(b"%PDF")
    (tmp_path.parent / "outside.pdf").write_bytes(b"secret")
    assert stored_path(tmp_path, {"stored": "files/a.pdf"}) == (tmp_path / "files" / "a.pdf").resolve()
    for stored in ("../outside.pdf", str(tmp_path.parent / "outside.pdf"), "files/missing.pdf", "files", 7, ""):
        assert stored_path(tmp_path, {"stored": stored}) is None, stored


def test_a_file_is_served_from_the_file_store_when_it_is_kept_there(site):
    (site.settings.data_dir / "evidence").mkdir(parents=True, exist_ok=True)
    (site.settings.data_dir / "evidence" / "bb.pdf").write_bytes(b"%PDF-1.7 stored copy")
    item = raised_with(site, {"file_id": "ZALO-EXPIRED", "file_name": "Biên bản họp.pdf",
                              "mime_type": "application/pdf", "stored": "evidence/bb.pdf"})
    office = signed_in(site, "vanthu")
    calls = len(site.sim.api.calls)
    response = office.get(f"/desk/difficulties/{item}/files/0")
    assert response.status_code == 200 and response.content == b"%PDF-1.7 stored copy"
    assert not any(method == "getFile" for method, _ in site.sim.api.calls[calls:])  # the channel was not asked
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == \
        "attachment; filename=\"Bien ban hop.pdf\"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf"
    assert response.headers["cache-control"] == "no-store, private"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_without_a_stored_copy_the_file_comes_from_its_channel_and_odd_types_are_opaque(site):
    item = raised_with(site, {"file_id": "TGFILE9", "file_name": "trang.html", "mime_type": "text/html",
                              "stored": "../../etc/passwd"})
    office = signed_in(site, "vanthu")
    response = office.get(f"/desk/difficulties/{item}/files/0")
    assert response.status_code == 200
    assert ("getFile", {"file_id": "TGFILE9"}) in site.sim.api.calls
    assert response.headers["content-type"] == "application/octet-stream"  # never rendered as a page
    assert response.headers["content-disposition"].startswith('attachment; filename="trang.html"')
    photo = raised_with(site, {"file_id": "TGPHOTO1", "file_name": "", "mime_type": "image/jpeg"})
    shown = office.get(f"/desk/difficulties/{photo}/files/0")
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith(f'inline; filename="vuong-mac-{photo}.jpg"')


def test_a_channel_that_cannot_hand_over_the_file_gets_a_clear_page(site, monkeypatch):
    item = raised_with(site, {"file_id": "GONE", "file_name": "a.pdf", "mime_type": "application/pdf"})
    office = signed_in(site, "vanthu")
    api = site.sim.api
    answer = api.do_request

    async def refuse(url, method, request_data=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if url.endswith("/getFile"):
            return 400, b'{"ok": false, "error_code": 400, "description": "Bad Request: file is too big"}'
        return await answer(url, method, request_data, **kwargs)

    monkeypatch.setattr(api, "do_request", refuse)
    response = office.get(f"/desk/difficulties/{item}/files/0")
    assert response.status_code == 502 and "Chưa tải được tệp" in response.text
    assert "Traceback" not in response.text
