"""The permission matrix's world: two units' submitted reports and difficulties in every state, built through services.

Unit A is KH-TC, unit B is QLKH. Every object the matrix names belongs to unit B (its head is the owner who may act);
unit A's report and difficulties exist so that head B's messages can be scanned for unit A's text. Every secret
text carries a marker: MKA/MKB for the unit, REP for report answers, ESC for difficulties nobody assigned, ASG for
the difficulty assigned to the deputy director, FILE for attachments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain import Actor, Role
from bot.questionnaire.model import QType
from bot.services import Services
from bot.services.reports.base import Screen
from bot.services.reports.autofill import type_until_review
from bot.simulator.harness import ChatSimulator
from tests.conftest import START  # noqa: F401 (the world's clock starts there)

UNIT_A, UNIT_B = "khtc", "qlkh"
# Role key -> Telegram id (demo people from config/demo_people.yaml, and the people this world adds)
ROLES: dict[str, int] = {
    "stranger": 5001, "head_a": 1003, "head_b": 1004, "deputy_a": 5002, "office": 1002, "director": 1011,
    "dd_assigned": 1012, "dd_other": 5003, "removed": 5004,
}
TYPED = {QType.YESNO: "không", QType.SINGLE: "1", QType.MULTI: "1", QType.INTEGER: "3", QType.MONEY: "100 triệu",
         QType.PERCENT: "60", QType.DATE: "15/01/2026", QType.DOCREF: "15/KH-SKHCN"}
# Difficulties of unit B, one per action that needs its own state (code -> state to bring it to).
ITEMS_B = {
    "new": "new", "fwd": "office", "fwd0": "office", "ans": "office", "ask": "office", "cls": "office",
    "cls0": "office", "dup": "office", "typed_cls": "office",
    "ag": "forwarded", "na": "forwarded", "sm": "forwarded", "ins": "forwarded", "asg": "forwarded", "asg2": "forwarded",
    "typed_ins": "forwarded",
    "fu": "instructed", "ok": "instructed", "rep": "instructed", "add": "info", "file": "office",
}


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)  # names used in the action templates
    actors: dict[str, Actor] = field(default_factory=dict)


def _fill(services: Services, actor: Actor, screen: Screen, marker: str) -> Screen:
    """Answer every question up to the review; every free text carries the unit's marker."""
    file = {"file_id": f"{marker}-FILE-R", "file_name": f"{marker}-FILE-R.pdf", "mime_type": "application/pdf",
            "size": 2048, "kind": "document"}
    return type_until_review(services.reports, actor, screen, typed={}, groups={}, defaults=TYPED, file=file,
                             text_for=lambda question_id: f"Nội dung {marker}-REP-{question_id}")


def _submit_report(services: Services, actor: Actor, period_id: int, marker: str) -> int:
    screen = _fill(services, actor, services.reports.open(actor, period_id), marker)
    screen = services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "gửi")
    screen = services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "xác nhận")
    return screen.ref.report_id


def build(sim: ChatSimulator) -> World:
    """Register the extra people, submit both units' reports, raise and move unit B's difficulties."""
    services, world = sim.services, World()
    org, people = services.org, services.people
    unit_a, unit_b = org.find_unit(UNIT_A), org.find_unit(UNIT_B)
    people.add_person(full_name="Trịnh Văn Phó", role=Role.DEPUTY, telegram_id="5002", unit_id=unit_a.unit_id)
    people.add_person(full_name="Mạc Thị Hai", role=Role.DEPUTY_DIRECTOR, telegram_id="5003")
    gone = people.add_person(full_name="Cao Văn Cũ", role=Role.UNIT_HEAD, telegram_id="5004", unit_id=unit_b.unit_id)
    for key, user_id in ROLES.items():
        sim.add_persona(key, user_id, key.replace("_", " ").title())
        actor = people.actor_for("telegram", str(user_id))
        if actor is not None:
            world.actors[key] = actor
    office, director, dd = world.actors["office"], world.actors["director"], world.actors["dd_assigned"]
    head_a, head_b = world.actors["head_a"], world.actors["head_b"]
    period = next(p for p in services.periods.list_periods() if p.state == "open")
    world.ids.update(period=period.period_id, unit_a=unit_a.unit_id, unit_b=unit_b.unit_id,
                     head_b=head_b.person_id, dd_other=world.actors["dd_other"].person_id)
    world.ids["report_a"] = _submit_report(services, head_a, period.period_id, "MKA")
    world.ids["report_b"] = _submit_report(services, head_b, period.period_id, "MKB")
    esc = services.escalations
    for number, (name, state) in enumerate(ITEMS_B.items(), start=1):
        marker = "MKB-ASG" if state in ("forwarded", "instructed") else "MKB-ESC"
        attachment = ({"file_id": f"MKB-FILE-{number}", "file_name": f"MKB-FILE-{number}.pdf", "kind": "document"}
                      if name == "file" else None)
        view, _new = esc.raise_item(head_b, title=f"{marker}-{number} vướng mắc", attachment=attachment,
                                    description=f"Mô tả {marker}-{number}")
        item = view.item_id
        if state != "new":
            esc.receive(office, item)
        if state == "info":
            esc.ask_info(office, item, "Đề nghị bổ sung")
        if state in ("forwarded", "instructed"):
            esc.forward(office, item, "Kính trình")
            esc.assign(director, item, dd.person_id)
        if state == "instructed":
            esc.instruct(director, item, "Đồng ý")
        world.ids[f"e_{name}"] = item
    world.ids["ev_file"] = next(e.event_id for e in esc.history(office, world.ids["e_file"]) if e.attachment)
    # Unit A's own difficulty, so that head B's and the deputy directors' messages can be scanned for it.
    world.ids["e_a"] = esc.raise_item(head_a, title="MKA-ESC-1 vướng mắc", description="Mô tả MKA-ESC-1")[0].item_id
    world.ids["invite"] = services.invites.create(office, Role.UNIT_HEAD, unit_b.unit_id).invite_id
    # Head B's requests about their personal data: a correction naming unit B's marker, and an erasure.
    world.ids["pv_fix"] = services.privacy.request(head_b, "correct", "MKB-PV sửa họ tên")[0].request_id
    world.ids["pv_erase"] = services.privacy.request(head_b, "erase")[0].request_id
    people.deactivate(office, gone.person_id)
    world.ids["removed"] = gone.person_id
    return world
