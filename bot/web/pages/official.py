"""Page 5, the official report editor: the Office writes sections I, III, V and VI and chooses the signer (the
`officialreporttext` rows the chat's /xuatbaocao edits, through the same service calls, audited), sees the whole
report as it will print (the DOCX itself read back, refreshed as it types), sets the plan's number and date and
the movement's name, and downloads the DOCX, the XLSX annex and the chart.

/desk/official[/<period id>], POST .../save, .../reset, .../preview (the preview's HTML alone, nothing saved),
.../organisation; GET .../report.docx, .../annex.xlsx, .../chart.png.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.documents.docx_html import Columns, read
from bot.documents.narrative import PART_LABELS, SIGNER, TEXT_PARTS
from bot.domain import DomainError, NotFound, PermissionDenied
from bot.i18n import N_, Translator
from bot.periods import period_title
from bot.services.official_report.service import DEPUTY_PREFIX, DIRECTOR_SIGNS, MAX_TEXT, PartState
from bot.services.status.service import can_see_status
from bot.web.base import DeskHandler, Nav, PostOnly, path_id

NAV = [Nav(N_("Official report"), "/desk/official", can_see_status)]
DONE = {"saved": N_("Saved. The report and the chat's /export print your texts."),
        "reset": N_("Back to the assistant's draft."),
        "organisation": N_("Saved. The report cites the plan and the movement as you set them."),
        "unchanged": N_("Nothing was changed.")}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def part_fields(states: list[PartState], tr: Translator, typed: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The four texts as the form shows them: label, text (what was typed, after a refusal), where it comes from."""
    _ = tr.gettext
    fields = []
    for state in states:
        if state.part == SIGNER:
            continue
        origin = _("the assistant's draft") if state.is_draft else _("written by {name}, {moment}").format(
            name=state.written_by, moment=tr.datetime(state.written_at))
        fields.append({"part": state.part, "label": _(PART_LABELS[state.part]), "origin": origin,
                       "draft": state.is_draft, "text": (typed or {}).get(state.part, state.text),
                       "rows": min(18, max(6, state.text.count("\n") * 2 + 4))})
    return fields


def signer_choices(states: list[PartState], deputies: list[str], director: str, tr: Translator) -> list[dict]:
    """The Director, or a deputy director signing for the Director (KT. GIÁM ĐỐC), as the chat offers them."""
    _ = tr.gettext
    now = next(s.text for s in states if s.part == SIGNER)
    choices = [{"value": DIRECTOR_SIGNS, "label": _("GIÁM ĐỐC (the Director)") + (f": {director}" if director else ""),
                "chosen": not now.startswith("KT.")}]
    choices += [{"value": DEPUTY_PREFIX + name, "label": f"KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: {name}",
                 "chosen": now.startswith("KT.") and now.endswith(f": {name}")} for name in deputies]
    if now.startswith("KT.") and not any(c["chosen"] for c in choices):  # a name typed in chat, not in the list
        name = now.rsplit(": ", 1)[-1]
        choices.append({"value": DEPUTY_PREFIX + name, "label": f"KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC: {name}", "chosen": True})
    return choices


def preview_blocks(docx: bytes) -> list[dict[str, Any]]:
    """The DOCX's body as the preview template draws it."""
    def para(p) -> dict[str, Any]:  # noqa: ANN001
        return {"runs": p.runs, "align": p.align, "indent": p.indent, "rule": p.rule, "empty": not p.text.strip()}

    blocks = []
    for block in read(docx).blocks:
        if isinstance(block, Columns):
            blocks.append({"columns": [[para(p) for p in cell] for cell in block.cells]})
        else:
            blocks.append({"para": para(block)})
    return blocks


class OfficialBase(DeskHandler):
    def office_only(self) -> None:
        """A change is the Office's (the services check again, as for the chat)."""
        if not self.actor.is_office:
            raise PermissionDenied(N_("Only the Administration Office writes the official report."))

    async def period_id(self, given: str | None) -> int | None:
        if given:
            return path_id(given)
        periods = await self.call(self.desk.services.desk_status.periods, self.actor)
        return periods[0].period_id if periods else None


class OfficialPage(OfficialBase):
    async def get(self, period: str | None = None) -> None:
        period_id = await self.period_id(period)
        if period_id is None:
            await self.message(404, N_("No reporting period has opened yet."), N_("Please come back later."))
            return
        await self.show(period_id)

    async def show(self, period_id: int, *, code: int = 200, error: str = "", typed: dict[str, str] | None = None,
                   organisation: dict[str, str] | None = None) -> None:
        services, actor, tr = self.desk.services, self.actor, self.tr
        states = await self.call(services.official_report.parts, actor, period_id)
        period = await self.call(services.status.periods.get, period_id)
        if actor.is_office:
            docx = await self.call(services.official_report.preview, actor, period_id, typed or {})
        else:
            docx = await self.call(services.official_report.document, actor, period_id)
        department = await self.call(services.org.department)
        deputies = await self.call(services.official_report.deputies)
        director = await self.call(services.status.director_name)
        done = self.get_query_argument("done", "")
        plan_date = department.plan_date.strftime("%d/%m/%Y") if department.plan_date else ""
        await self.page("official.html", code=code, period_id=period_id,
                        period_title=period_title(tr, period.kind, period.year, period.phase),
                        fields=part_fields(states, tr, typed), signers=signer_choices(states, deputies, director, tr),
                        blocks=preview_blocks(docx), editable=actor.is_office, max_text=MAX_TEXT,
                        organisation=organisation or {"plan_number": department.plan_number, "plan_date": plan_date,
                                                      "movement": department.movement},
                        notice=self._(DONE[done]) if done in DONE else "", error=error)


class Save(PostOnly, OfficialPage):
    """The four texts and the signer: each part that changed is saved as the chat saves it (audited); a part
    emptied goes back to the assistant's draft."""

    async def post(self, period: str) -> None:
        self.office_only()
        period_id = path_id(period)
        service, actor = self.desk.services.official_report, self.actor
        states = {s.part: s for s in await self.call(service.parts, actor, period_id)}
        typed = {part: self.get_body_argument(part) for part in TEXT_PARTS if self.get_body_argument(part, None)
                 is not None}
        changed = 0
        try:
            for part, text in typed.items():
                if not text.strip() and not states[part].is_draft:  # emptied: the draft, as the preview shows
                    await self.call(service.reset, actor, period_id, part)
                    changed += 1
                elif text.strip() and " ".join(text.split()) != " ".join(states[part].text.split()):
                    await self.call(service.save, actor, period_id, part, text)
                    changed += 1
            signer = self.get_body_argument("signer", "")
            if signer and signer != self._stored_signer(states[SIGNER]):
                deputy = signer[len(DEPUTY_PREFIX):] if signer.startswith(DEPUTY_PREFIX) else None
                await self.call(service.set_signer, actor, period_id, deputy)
                changed += 1
        except DomainError as refused:
            if isinstance(refused, (NotFound, PermissionDenied)):
                raise
            await self.show(period_id, code=400, error=self._(refused.message).format(**refused.params), typed=typed)
            return
        self.see_other(f"/desk/official/{period_id}?done={'saved' if changed else 'unchanged'}")

    @staticmethod
    def _stored_signer(state: PartState) -> str:
        return DEPUTY_PREFIX + state.text.rsplit(": ", 1)[-1] if state.text.startswith("KT.") else DIRECTOR_SIGNS


class Reset(PostOnly, OfficialPage):
    """One part back to the assistant's draft (the chat's "dự thảo")."""

    async def post(self, period: str) -> None:
        self.office_only()
        period_id = path_id(period)
        part = self.get_body_argument("part", "")
        if part not in TEXT_PARTS:
            raise NotFound()
        await self.call(self.desk.services.official_report.reset, self.actor, period_id, part)
        self.see_other(f"/desk/official/{period_id}?done=reset#{part}")


class Preview(PostOnly, OfficialBase):
    """The preview's HTML for the texts being typed (desk.js asks for it as the Office types); nothing is saved."""

    async def post(self, period: str) -> None:
        self.office_only()
        period_id = path_id(period)
        typed = {part: self.get_body_argument(part, "") for part in TEXT_PARTS if self.get_body_argument(part, None)
                 is not None}
        signer = self.get_body_argument("signer", "") or None
        docx = await self.call(self.desk.services.official_report.preview, self.actor, period_id, typed, signer)
        await self.page("official_preview.html", blocks=preview_blocks(docx))


class Organisation(PostOnly, OfficialPage):
    """The plan's number and date (as /donvi kehoach sets them) and the movement's name."""

    async def post(self, period: str) -> None:
        self.office_only()
        period_id = path_id(period)
        org, actor = self.desk.services.org, self.actor
        typed = {key: self.get_body_argument(key, "").strip() for key in ("plan_number", "plan_date", "movement")}
        now = await self.call(org.department)
        now_date = now.plan_date.strftime("%d/%m/%Y") if now.plan_date else ""
        changed = False
        try:
            if (typed["plan_number"], typed["plan_date"]) != (now.plan_number, now_date):
                await self.call(org.set_plan, actor, typed["plan_number"], typed["plan_date"])
                changed = True
            if " ".join(typed["movement"].split()) != now.movement:
                await self.call(org.set_movement, actor, typed["movement"])
                changed = True
        except DomainError as refused:
            if isinstance(refused, (NotFound, PermissionDenied)):
                raise
            await self.show(period_id, code=400, error=self._(refused.message).format(**refused.params),
                            organisation=typed)
            return
        self.see_other(f"/desk/official/{period_id}?done={'organisation' if changed else 'unchanged'}")


class Download(DeskHandler):
    """The DOCX and the XLSX annex as /xuatbaocao sends them (audited as an export), and the /bieudo chart."""

    async def get(self, period: str, kind: str) -> None:
        period_id, services = path_id(period), self.desk.services
        if kind == "chart.png":
            from bot.documents.chart import build_chart  # matplotlib loads only when a chart is drawn

            consolidation = await self.call(services.status.consolidation, self.actor, period_id)
            body = await self.call(build_chart, consolidation, self.tr, services.status.short_names())
            name, mime = f"Bieu-do-thi-dua-{consolidation.period.code}.png", "image/png"
        else:
            files = await self.call(services.official_report.export, self.actor, period_id)
            if kind == "report.docx":
                body, name, mime = files.docx, files.docx_name, DOCX
            else:
                body, name, mime = files.xlsx, files.xlsx_name, XLSX
        self.set_header("Content-Type", mime)
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}")
        self.finish(body)


ROUTES = [
    (r"/desk/official", OfficialPage),
    (r"/desk/official/(\d{1,10})", OfficialPage),
    (r"/desk/official/(\d{1,10})/save", Save),
    (r"/desk/official/(\d{1,10})/reset", Reset),
    (r"/desk/official/(\d{1,10})/preview", Preview),
    (r"/desk/official/(\d{1,10})/organisation", Organisation),
    (r"/desk/official/(\d{1,10})/(report\.docx|annex\.xlsx|chart\.png)", Download),
]
