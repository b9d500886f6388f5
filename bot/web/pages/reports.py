"""Page 2, a unit's report: any version, what changed since another version, attachments, who answered what;
the Office accepts it or returns it with a comment, through the chat's own service call.

/desk/reports/<id>?v=<version>&compare=<version>, POST /desk/reports/<id>/accept and /return,
/desk/reports/<id>/<version>/files/<question id> (an attachment, after the same permission check as the page).
"""

from __future__ import annotations

from typing import Any

from bot.contracts import ReportState
from bot.domain import Actor, DomainError, NotFound, PermissionDenied
from bot.i18n import N_, Translator
from bot.questionnaire.display import format_value
from bot.questionnaire.model import QType
from bot.services.reports.review import CommentRefused, ReportView
from bot.text import parse_id
from bot.web.base import DeskHandler, Nav, PostOnly, path_id
from handlers.reports.render import title_of
from handlers.reports.render_review import review_state_text
from handlers.reports.review import tell_decision

NAV: list[Nav] = []  # reached from the status grid and the side-by-side answers
DONE = {"accepted": N_("The report has been accepted. The unit has been told in the chat."),
        "returned": N_("The report has been returned to the unit with your comment. The unit has been told in the "
                       "chat."),
        # nothing could be queued for anyone in the unit: never claim they were told
        "accepted-untold": N_("The report has been accepted. No one in the unit can be reached through the "
                              "assistant: please tell them directly."),
        "returned-untold": N_("The report has been returned with your comment. No one in the unit can be reached "
                              "through the assistant: please tell them directly.")}


def shown_value(question, answers: dict[str, Any], tr: Translator) -> str:  # noqa: ANN001
    """An answer as the chat shows it; "" when there is none."""
    if question.id not in answers:
        return ""
    return format_value(question, answers[question.id], tr).strip("\n")


def answer_sections(view: ReportView, tr: Translator, before: ReportView | None = None) -> list[dict[str, Any]]:
    """Every applicable question by section, numbered as in the chat, with who answered it and, when compared
    with an earlier version, the earlier answer of each question that changed."""
    loc = tr.locale
    applicable = {q.id for q in view.applicable}
    sections, number = [], 0
    for section in view.questionnaire.sections:
        lines = []
        for question in section.questions:
            if question.id not in applicable:
                continue
            number += 1
            value = shown_value(question, view.answers, tr)
            old = shown_value(question, before.answers, tr) if before is not None else value
            file_url = ""
            if question.type == QType.ATTACHMENT and isinstance(view.answers.get(question.id), dict):
                file_url = f"/desk/reports/{view.ref.report_id}/{view.shown_version}/files/{question.id}"
            lines.append({"number": number, "id": question.id, "label": question.label(loc), "value": value,
                          "changed": old != value, "before": old, "by": view.answered_by.get(question.id, ""),
                          "file_url": file_url, "required": question.required})
        if lines:
            sections.append({"title": section.label(loc), "lines": lines})
    return sections


def version_lines(view: ReportView, tr: Translator) -> list[dict[str, Any]]:
    _ = tr.gettext
    return [{"version": v.version, "when": tr.datetime(v.submitted_at), "by": v.submitted_by, "late": v.is_late,
             "state": review_state_text(tr, v), "current": v.version == view.shown_version}
            for v in reversed(view.versions)]


def can_decide(reports, actor: Actor, view: ReportView) -> bool:  # noqa: ANN001 - the report service
    """Accept and return are offered on the latest submitted version, to those who may review it (the Office, not
    the unit's own people; the service checks again)."""
    return (view.ref.state == ReportState.SUBMITTED and view.shown_version == view.ref.version
            and reports.can_review(actor, view.ref.report_id, view.ref.version))


class ReportPage(DeskHandler):
    async def get(self, report: str) -> None:
        await self.show(path_id(report))

    async def show(self, report_id: int, *, code: int = 200, error: str = "", comment: str = "",
                   version: int | None = None) -> None:
        reports = self.desk.services.reports
        if version is None:
            version = parse_id(self.get_query_argument("v", "")) or 0
        view = await self.call(reports.view, self.actor, report_id, version)
        compare = parse_id(self.get_query_argument("compare", ""))
        if compare is None and view.shown_version > 1:
            compare = view.shown_version - 1  # what changed since the version before, by default
        before = None
        if compare and compare != view.shown_version and any(v.version == compare for v in view.versions):
            before = await self.call(reports.view, self.actor, report_id, compare)
        tr = self.tr
        done = self.get_query_argument("done", "")
        await self.page("report.html", code=code, view=view, title=title_of(tr, view.ref),
                        sections=answer_sections(view, tr, before), versions=version_lines(view, tr),
                        shown=view.shown, state_text=review_state_text(tr, view.shown) if view.shown else "",
                        compare=before.shown_version if before else 0,
                        can_decide=await self.call(can_decide, reports, self.actor, view),
                        notice=self._(DONE[done]) if done in DONE else "", error=error, comment=comment,
                        contributors=view.contributors, deadline=tr.short_date(view.ref.period.deadline))


class Decision(PostOnly, ReportPage):
    """Accept or return: the chat button's service call and notices, in one unit of work."""

    decision = ""


    async def post(self, report: str) -> None:
        report_id = path_id(report)
        version = parse_id(self.get_body_argument("version", "")) or 0
        comment = self.get_body_argument("comment", "")
        services, actor, i18n = self.desk.services, self.actor, self.desk.i18n

        async def work(bot) -> int:  # noqa: ANN001
            with services.db.unit_of_work():
                if self.decision == "accepted":
                    result = services.reports.accept(actor, report_id, version)
                else:
                    result = services.reports.return_for_revision(actor, report_id, version, comment)
                return await tell_decision(bot, services, i18n.get, actor, result)

        try:
            told = await self.desk.actions.run(work)
        except CommentRefused as refused:
            await self.show(report_id, code=400, error=self._(refused.message).format(**refused.params),
                            comment=comment, version=version)
            return
        except DomainError as refused:  # meanwhile accepted, returned by a colleague, or taken back
            if isinstance(refused, (NotFound, PermissionDenied)):
                raise
            await self.show(report_id, code=409, error=self._(refused.message).format(**refused.params))
            return
        self.see_other(f"/desk/reports/{report_id}?done={self.decision}{'' if told else '-untold'}")


class Accept(Decision):
    decision = "accepted"


class Return(Decision):
    decision = "returned"


class Attachment(DeskHandler):
    """A file a unit attached, for whoever may read that version (the file store's copy, or the channel's)."""

    async def get(self, report: str, version: str, question_id: str) -> None:
        view = await self.call(self.desk.services.reports.view, self.actor, path_id(report), path_id(version))
        value = view.answers.get(question_id)
        question = next((q for q in view.applicable if q.id == question_id), None)
        if question is None or question.type != QType.ATTACHMENT or not isinstance(value, dict) or \
                not value.get("file_id"):
            raise NotFound()

        await self.send_attachment(value, question_id)


ROUTES = [
    (r"/desk/reports/(\d{1,10})", ReportPage),
    (r"/desk/reports/(\d{1,10})/accept", Accept),
    (r"/desk/reports/(\d{1,10})/return", Return),
    (r"/desk/reports/(\d{1,10})/(\d{1,10})/files/([A-Za-z0-9_.-]{1,64})", Attachment),
]
