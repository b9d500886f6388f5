"""Page 7, the questionnaire: every stored version, one version's definition (YAML), a new version typed or
uploaded (checked by the loader's own rules, each problem shown with its line), and its activation for the
reports started from then on, in every process, without a restart; reports already started keep their version.

/desk/questionnaire, /desk/questionnaire/<version>, /desk/questionnaire/new (GET the form, POST the text or
file), POST /desk/questionnaire/<version>/activate. The Administration Office only (the service checks again).
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain import DomainError
from bot.i18n import N_, Translator
from bot.questionnaire.model import pick_text
from bot.services.questionnaires import VersionInfo
from bot.web.base import DeskHandler, Nav, PostOnly, path_id

NAV = [Nav(N_("Questionnaire"), "/desk/questionnaire", lambda actor: actor.is_office, per_period=False)]
DONE = {"uploaded": N_("The new version has been checked and stored. It is not in use until you activate it."),
        "activated": N_("The version is active: reports started from now on use it, in every process. Reports "
                        "already started keep their version.")}
UPLOAD_LIMIT = 1_000_000  # bytes of an uploaded file


# How the loader names a place in the questionnaire ("question 'x', option 'y'"), in the reader's language.
WHERE = [(re.compile(r"^question '([^']*)'"), N_("question {0}")), (re.compile(r"^section '([^']*)'"), N_("section {0}")),
         (re.compile(r"^section (\d+)$"), N_("section no. {0}")), (re.compile(r"^derived '([^']*)'"), N_("derived figure {0}")),
         (re.compile(r"^line (\d+)$"), N_("line {0}")), (re.compile(r"^file$"), N_("the whole file"))]
OPTION = re.compile(r", option '([^']*)'$")


def where_text(where: str, tr: Translator) -> str:
    """"question 'x', option 'y'" -> "câu hỏi x, lựa chọn y"; a key's name (code, version, title) as it is."""
    for pattern, msgid in WHERE:
        match = pattern.match(where)
        if match:
            text = tr.gettext(msgid).format(*match.groups())
            option = OPTION.search(where)
            return text + (tr.gettext(N_(", option {0}")).format(option.group(1)) if option else "")
    return where


def version_row(v: VersionInfo, tr: Translator) -> dict[str, Any]:
    _ = tr.gettext
    if v.current:
        state = _("in use for new reports")
    elif v.activated_at is None:
        state = _("uploaded, not yet activated")
    else:
        state = _("replaced by a newer version")
    return {"version": v.version, "title": pick_text(v.title, tr.locale), "questions": v.questions,
            "loaded": tr.datetime(v.loaded_at), "activated": tr.datetime(v.activated_at) if v.activated_at else "",
            "reports": v.reports, "state": state, "current": v.current, "pending": v.activated_at is None,
            "url": f"/desk/questionnaire/{v.version}"}


class Versions(DeskHandler):
    async def get(self) -> None:
        versions = await self.call(self.desk.services.questionnaires.versions, self.actor)
        await self.page("questionnaire.html", versions=[version_row(v, self.tr) for v in versions])


class Version(DeskHandler):
    async def get(self, version: str) -> None:
        service = self.desk.services.questionnaires
        info, text = await self.call(service.version, self.actor, path_id(version))
        newer = [v for v in await self.call(service.versions, self.actor) if v.current][0].version
        done = self.get_query_argument("done", "")
        await self.page("questionnaire_version.html", v=version_row(info, self.tr), text=text,
                        can_activate=info.activated_at is None and info.version > newer,
                        notice=self._(DONE[done]) if done in DONE else "")


class NewVersion(DeskHandler):
    """The newest version's YAML with the next number, to edit; or a file to upload."""

    async def get(self) -> None:
        text = await self.call(self.desk.services.questionnaires.next_draft, self.actor)
        await self.page("questionnaire_new.html", text=text, problems=[])

    async def post(self) -> None:
        files = self.request.files.get("file") or []
        text = self.get_body_argument("text", "")
        if files and files[0].body:
            if len(files[0].body) > UPLOAD_LIMIT:
                raise DomainError(N_("The file is too large for a questionnaire (at most {n} MB)."), n=1)
            text = files[0].body.decode("utf-8", errors="replace")
        checked = await self.call(self.desk.services.questionnaires.upload, self.actor, text)
        if checked.version is None:
            problems = [{"line": p.line, "where": where_text(p.where, self.tr),
                         "problem": self._(p.msgid).format(**p.params) if p.msgid else p.problem}
                        for p in checked.problems]
            await self.page("questionnaire_new.html", code=400, text=text, problems=problems)
            return
        self.see_other(f"/desk/questionnaire/{checked.version.version}?done=uploaded")


class Activate(PostOnly, DeskHandler):
    """A checked version becomes the one new reports start with (every process reads it at the next start)."""

    async def post(self, version: str) -> None:
        info = await self.call(self.desk.services.questionnaires.activate, self.actor, path_id(version))
        self.see_other(f"/desk/questionnaire/{info.version}?done=activated")


ROUTES = [
    (r"/desk/questionnaire", Versions),
    (r"/desk/questionnaire/new", NewVersion),
    (r"/desk/questionnaire/(\d{1,10})", Version),
    (r"/desk/questionnaire/(\d{1,10})/activate", Activate),
]
