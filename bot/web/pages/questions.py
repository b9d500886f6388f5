"""Page 3, one question across all units side by side (what a clerk needs to write section II), for every
question of the questionnaire: /desk/questions/<period id>?q=<question id>&page=<n> (100 units a page, as the
status grid; `all=1`: every unit). The total and the units still to submit are always those of every unit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from bot.consolidation import as_int
from bot.contracts import SubmittedReport
from bot.i18n import N_, Translator
from bot.periods import period_title
from bot.questionnaire.model import QType, Question
from bot.services.desk.status import SideBySide
from bot.services.status.service import can_see_status
from bot.text import parse_id
from bot.web.base import DeskHandler, Nav, path_id
from bot.web.pages.reports import shown_value

NAV = [Nav(N_("Answers side by side"), "/desk/questions", can_see_status)]
SUMMED = (QType.INTEGER, QType.MONEY)
PER_PAGE = 100  # units on one page, as the status grid


def choices(data: SideBySide, tr: Translator) -> list[dict[str, Any]]:
    """Every question, numbered as in the chat, grouped by section."""
    groups, number = [], 0
    for section in data.questionnaire.sections:
        items = []
        for question in section.questions:
            number += 1
            items.append({"id": question.id, "label": f"{number}. {question.short_label(tr.locale)}"})
        groups.append({"title": section.label(tr.locale), "items": items})
    return groups


def unit_answers(data: SideBySide, question: Question, tr: Translator,
                 reports: tuple[SubmittedReport, ...] | None = None) -> list[dict[str, Any]]:
    """Each unit that submitted (`reports`: those of one page), its answer to `question`, read with its own
    questionnaire version.

    Many units give the same answer ("có", the same amount): each distinct (version, answer) is formatted once,
    and each version number's link text once; at 1,000 units Babel's formatting was most of the page."""
    rows = []
    versions = {key: questionnaire.question(question.id) for key, questionnaire in data.questionnaires.items()}
    shown: dict[tuple, str] = {}
    labels: dict[int, str] = {}
    for report in data.reports if reports is None else reports:
        key = (report.questionnaire_code, report.questionnaire_version)
        own = versions[key]  # looked up once per version
        value = ""
        if own is not None and question.id in report.answers:
            raw = report.answers[question.id]
            memo = (key, type(raw), raw if isinstance(raw, str | int | float | bool) else repr(raw))
            if memo not in shown:
                shown[memo] = shown_value(own, report.answers, tr)
            value = shown[memo]
        if report.version not in labels:
            labels[report.version] = tr.gettext("Version {n}").format(n=report.version)
        rows.append({"unit": report.unit_name, "value": value, "version": labels[report.version],
                     "late": report.is_late, "report_url": f"/desk/reports/{report.report_id}?v={report.version}"})
    return rows


def total(data: SideBySide, question: Question, tr: Translator) -> str:
    """The sum over the units, for a number or an amount of money (exact integers, as the consolidation sums)."""
    if question.type not in SUMMED:
        return ""
    amount = sum(as_int(r.answers.get(question.id)) for r in data.reports)
    return tr.money(amount) if question.type == QType.MONEY else tr.number(amount, digits=0)


class QuestionsPage(DeskHandler):
    async def get(self, period: str | None = None) -> None:
        services = self.desk.services
        if period is None:
            periods = await self.call(services.desk_status.periods, self.actor)
            if not periods:
                await self.message(404, N_("No reporting period has opened yet."), N_("Please come back later."))
                return
            period_id = periods[0].period_id
        else:
            period_id = path_id(period)
        current = await self.call(services.reports.store.current)
        questions = current.questions
        wanted = self.get_query_argument("q", "")
        if current.question(wanted) is None:
            wanted = questions[0].id
        data = await self.call(services.desk_status.side_by_side, self.actor, period_id, services.reports.store,
                               wanted)  # that question's answer alone from each report
        questions = data.questionnaire.questions
        index = next((i for i, q in enumerate(questions) if q.id == wanted), 0)
        question = questions[index]
        tr = self.tr
        p = data.period
        everything = self.get_query_argument("all", "") == "1"
        pages = 1 if everything else max(1, -(-len(data.reports) // PER_PAGE))
        page = min(parse_id(self.get_query_argument("page", "")) or 1, pages)
        reports = data.reports if everything else data.reports[(page - 1) * PER_PAGE:page * PER_PAGE]
        await self.page("questions.html", period_id=period_id, period_title=period_title(tr, p.kind, p.year, p.phase),
                        groups=choices(data, tr), question=question, number=index + 1,
                        label=question.label(tr.locale), rows=unit_answers(data, question, tr, reports),
                        total=total(data, question, tr), waiting=data.waiting, page=page, pages=pages,
                        count=len(data.reports), paged=len(data.reports) > PER_PAGE, everything=everything,
                        query=lambda **change: "?" + urlencode({"q": question.id, **change}),
                        previous=questions[index - 1].id if index > 0 else "",
                        next=questions[index + 1].id if index + 1 < len(questions) else "")


ROUTES = [
    (r"/desk/questions", QuestionsPage),
    (r"/desk/questions/(\d{1,10})", QuestionsPage),
]
