"""A realistic demo period for the official report, built through the services the chat uses.

`python -m bot sample-report --out DIR` (and the tests) call `build_sample`: the organisation of
config/organization.yaml, invented people, the annual report 2026 answered question by question through
`ReportService` (six units on time, one late, one missing), a unit the Office added from chat with its short name
in brackets, difficulties in every state (an instruction by the Director, a deputy director's quick "agreed" to the
Office's proposal, an answer by the Administration Office, a duplicate, one raised with /vuongmac and written in
the report again in other words), answers typed as people type them (a lower-case start, a document reference in
lower case, abbreviations), the plan's number and date set from chat, and the Office's texts for sections I and
VI. Names of people and the plan's number are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.config import Settings
from bot.domain import Actor, Role
from bot.questionnaire.model import QType
from bot.services import Services, build_services
from bot.services.reports.autofill import type_until_review
from storage.db import Database

PERIOD = "2026-Y"
START = datetime(2026, 12, 8, 8, 30)
EXPORT_AT = datetime(2026, 12, 23, 9, 0)
PEOPLE = [  # invented names
    ("hcth", "Trần Thị Mai", Role.UNIT_HEAD), ("hcth", "Lê Văn Hòa", Role.OFFICE),
    ("khtc", "Nguyễn Văn An", Role.UNIT_HEAD), ("qlkh", "Phạm Thị Lan", Role.UNIT_HEAD),
    ("qlcn", "Võ Minh Tuấn", Role.UNIT_HEAD), ("qlcnganh", "Huỳnh Thị Thu", Role.UNIT_HEAD),
    ("thanhtra", "Đặng Quốc Bảo", Role.UNIT_HEAD), ("chicuc", "Bùi Thị Hạnh", Role.UNIT_HEAD),
    ("ttud", "Đỗ Thanh Sơn", Role.UNIT_HEAD), (None, "Hoàng Văn Quang", Role.DIRECTOR),
    (None, "Lý Thị Ngọc", Role.DEPUTY_DIRECTOR),
]
ADDED_UNIT = "Trung tâm Thông tin và Thống kê khoa học và công nghệ (Trung tâm TT&TK)"  # typed after /donvi them
ADDED_HEAD = "Phan Thị Yến"
PLAN = ("15/KH-SKHCN", "20/01/2026")  # typed after /donvi kehoach (invented)
NONE = "Không phát sinh"
COMMON = {"infra_policy": NONE, "digital_results": NONE, "admin_procedures": "0", "enterprises_supported": "0",
          "capital_holds": "không", "thrift_programme": "1", "thrift_programme_ref": "12/CTr-SKHCN",
          "thrift_programme_date": "15/01/2026", "thrift_savings": "0", "recurrent_share": "65", "norms_published": "0",
          "public_assets_ok": "có", "difficulties": "Không", "proposals": "Không", "self_assessment": "2",
          "digital_tasks": "2, 3", "next_plan": NONE}
# Typed answers per unit (what a unit head would type), on top of COMMON.
ANSWERS: dict[str, dict[str, Any]] = {
    "hcth": {"digital_tasks": "1, 2, 3", "admin_procedures": "12", "thrift_savings": "85 triệu",
             "digital_results": "Vận hành hệ thống quản lý văn bản và điều hành; 100% văn bản đi được ký số.",
             "recurrent_share": "71,5", "self_assessment": "1",
             "next_plan": "Tiếp tục số hóa hồ sơ lưu trữ; rà soát quy chế chi tiêu nội bộ theo hướng tiết kiệm."},
    "khtc": {"capital_holds": "có", "capital_plan": "12 tỷ", "capital_disbursed": "5 tỷ 630 triệu",
             "capital_plan_ref": "15/QĐ-UBND", "thrift_savings": "120 triệu", "recurrent_share": "58,2",
             "infra_policy": "Tham mưu Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030 lĩnh vực khoa học và "
                             "công nghệ; đề xuất danh mục 03 dự án hạ tầng số.",
             "difficulties": "Nguồn vốn đối ứng của dự án Trung tâm dữ liệu khoa học và công nghệ được phân bổ chậm.",
             "proposals": "Đề nghị Lãnh đạo Sở chỉ đạo các đơn vị hoàn thiện hồ sơ thanh toán trước ngày 15/12.",
             "next_plan": "Phấn đấu giải ngân 100% kế hoạch vốn; hoàn thành quyết toán dự án hoàn thành."},
    "qlkh": {"recurrent_share": "63", "digital_tasks": "4", "thrift_savings": "30 triệu", "enterprises_supported": "4",
             "digital_results": "Cập nhật 215 nhiệm vụ khoa học và công nghệ vào cơ sở dữ liệu quốc gia.",
             # raised with /vuongmac on 11/12 too, in other words; the second difficulty is only here
             "difficulties": "chưa bố trí kinh phí năm 2027 để bảo trì CSDL nhiệm vụ khoa học; thiếu cán bộ "
                             "chuyên trách CĐS",
             "self_assessment": "1", "next_plan": "Đặt hàng 05 nhiệm vụ khoa học phục vụ chuyển đổi số của tỉnh."},
    "qlcn": {"recurrent_share": "60,4", "digital_tasks": "1, 4", "enterprises_supported": "9", "thrift_savings": "25 triệu",
             # as typed on a phone: lower-case start, abbreviations
             "digital_results": "hỗ trợ 09 DN đổi mới công nghệ, ứng dụng nền tảng số; hướng dẫn DN nộp hồ sơ qua "
                                "DVC trực tuyến; gửi vb đề nghị KBNN hướng dẫn thanh toán KH vốn ĐTC qua CSDL.",
             "proposals": "đề nghị Sở tổ chức tập huấn về SHTT cho DN."},
    "qlcnganh": {"recurrent_share": "66", "admin_procedures": "9", "norms_published": "2", "thrift_savings": "18 triệu",
                 "self_assessment": "3", "thrift_programme_ref": "12/ctr-skhcn"},  # the reference in lower case
    "tttk": {"recurrent_share": "52", "digital_tasks": "4", "thrift_savings": "12 triệu",
             "digital_results": "Xây dựng CSDL thống kê khoa học và công nghệ của tỉnh; kết nối với CSDL quốc gia.",
             "next_plan": "Hoàn thành điều tra thống kê khoa học và công nghệ năm 2027."},
    "chicuc": {"recurrent_share": "55,8", "capital_holds": "có", "capital_plan": "3 tỷ", "capital_disbursed": "2 tỷ 100 triệu",
               "capital_plan_ref": "27/QĐ-UBND", "admin_procedures": "6", "norms_published": "3",
               "thrift_savings": "40 triệu", "thrift_programme": "2",
               "next_plan": "Hoàn thành đầu tư phòng thử nghiệm đo lường; công bố 03 tiêu chuẩn cơ sở."},
    "ttud": {"recurrent_share": "48,5", "capital_holds": "có", "capital_plan": "1,5 tỷ", "capital_disbursed": "1,5 tỷ",
             "capital_plan_ref": "27/QĐ-UBND", "thrift_savings": "65 triệu", "public_assets_ok": "không",
             "ttud_reorganisation": "Sắp xếp 05 phòng chuyên môn còn 03 phòng; chuyển 02 dịch vụ sang cơ chế tự chủ.",
             "thrift_programme_ref": "08/CTr-TTƯD", "thrift_programme_date": "20/01/2026"},
}
GROUPS: dict[str, dict[str, list[list[str]]]] = {
    # form numbers as questionnaire v3 lists them: 2 Tập thể lao động xuất sắc, 5 Chiến sĩ thi đua cơ sở,
    # 12 Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh, 14 Giấy khen của Giám đốc Sở
    "hcth": {"commendations": [["1", "Phòng Hành chính - Tổng hợp", "2", "Hoàn thành xuất sắc nhiệm vụ năm 2026"]]},
    "khtc": {"initiatives": [["Số hóa hồ sơ dự toán và thanh toán vốn", "Rút ngắn 30% thời gian thẩm định hồ sơ "
                              "thanh toán.", "Nguyễn Văn An"]],
             "exemplars": [["2", "Trương Thị Hồng", "Dẫn đầu giải ngân vốn đầu tư công của Sở."]],
             "commendations": [["2", "Nguyễn Văn An, Trưởng phòng Kế hoạch - Tài chính", "12",
                                "Có sáng kiến được áp dụng toàn Sở"],
                               ["1", "Phòng Kế hoạch - Tài chính", "14", "Hoàn thành xuất sắc nhiệm vụ năm 2026"]]},
    "qlkh": {"initiatives": [["Quy trình điện tử xét chọn nhiệm vụ khoa học", "Giảm hồ sơ giấy, công khai tiến "
                              "độ xét chọn.", "Phạm Thị Lan"]]},
    "chicuc": {"initiatives": [["Kiểm định phương tiện đo tại chỗ cho doanh nghiệp", "Tiết kiệm chi phí vận chuyển "
                                "cho 40 doanh nghiệp.", ""]],
               "commendations": [["2", "Bùi Thị Hạnh, Chi cục trưởng", "5", "Hoàn thành xuất sắc nhiệm vụ"]]},
    "ttud": {"exemplars": [["1", "Phòng Thử nghiệm", "Ứng dụng 02 quy trình thử nghiệm mới, giảm 15% chi phí."]]},
}
FILE = {"file_id": "DEMO-FILE-1", "file_name": "chuong-trinh-thtk-clp-2026.pdf", "mime_type": "application/pdf",
        "size": 48213, "kind": "document"}
OFFICE_TEXTS = {
    "leadership": (
        "Ngay từ đầu năm, Sở Khoa học và Công nghệ đã ban hành Kế hoạch triển khai Phong trào thi đua năm 2026, "
        "giao chỉ tiêu cụ thể cho từng phòng, đơn vị; lồng ghép nội dung Phong trào thi đua vào Chương trình thực "
        "hành tiết kiệm, chống lãng phí (Chương trình số 12/CTr-SKHCN ngày 15/01/2026) và kế hoạch chuyển đổi số "
        "của Sở.\n"
        "Lãnh đạo Sở chỉ đạo, đôn đốc qua các cuộc giao ban hằng tháng; Phòng Hành chính - Tổng hợp theo dõi, "
        "hướng dẫn các phòng, đơn vị báo cáo qua Trợ lý Thi đua và tổng hợp kết quả định kỳ."),
    "recommendations": (
        "Đề nghị UBND tỉnh quan tâm bố trí đủ vốn đối ứng cho dự án Trung tâm dữ liệu khoa học và công nghệ trong "
        "kế hoạch đầu tư công năm 2027.\n"
        "Đề nghị Sở Nội vụ hướng dẫn thống nhất việc xét tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh theo "
        "Nghị định số 152/2025/NĐ-CP cho tập thể, cá nhân có thành tích trong Phong trào thi đua."),
}


@dataclass(frozen=True)
class SampleFiles:
    docx: Path
    xlsx: Path
    chart: Path


def sample_services(database_url: str, settings: Settings | None = None) -> tuple[Services, ManualClock]:
    """Services over a new database with the organisation and default periods loaded."""
    settings = settings or Settings()
    clock = ManualClock(START, settings.tz)  # wall times of the configured zone
    db = Database(database_url)
    db.upgrade()
    services = build_services(settings, db, clock)
    services.org.load_file(settings.organization_file)
    services.periods.ensure_defaults()
    return services, clock


def build_sample(services: Services, clock: ManualClock) -> int:
    """Fill the demo period; returns its id. The clock ends at the export moment (after the deadline)."""
    people = {}
    for unit_code, name, role in PEOPLE:
        unit = services.org.find_unit(unit_code) if unit_code else None
        actor = services.people.add_person(full_name=name, role=role, telegram_id=f"demo-{len(people) + 1}",
                                           unit_id=unit.unit_id if unit else None)
        people[(unit_code, role)] = actor
    period_id = next(p.period_id for p in services.periods.list_periods() if p.code == PERIOD)
    office = people[("hcth", Role.OFFICE)]
    added = services.org.add_unit(office, ADDED_UNIT)  # as /donvi them ... does it
    people[("tttk", Role.UNIT_HEAD)] = services.people.add_person(
        full_name=ADDED_HEAD, role=Role.UNIT_HEAD, telegram_id=f"demo-{len(people) + 1}", unit_id=added.unit_id)
    services.org.set_plan(office, *PLAN)  # as /donvi kehoach ... does it
    heads = {code: people[(code, Role.UNIT_HEAD)] for code in ANSWERS}
    for step, code in enumerate(("hcth", "khtc", "qlkh", "qlcn", "qlcnganh", "chicuc", "tttk")):
        clock.set(START + timedelta(days=step, hours=step))
        _report(services, heads[code], period_id, code)
    director, deputy = people[(None, Role.DIRECTOR)], people[(None, Role.DEPUTY_DIRECTOR)]
    _difficulties(services, clock, people, office, director, deputy)
    clock.set(datetime(2026, 12, 22, 10, 15))  # after the 20/12 deadline: late
    _report(services, heads["ttud"], period_id, "ttud")
    clock.set(EXPORT_AT)
    for part, text in OFFICE_TEXTS.items():
        services.official_report.save(office, period_id, part, text)
    return period_id


def _report(services: Services, actor: Actor, period_id: int, code: str) -> None:
    typed = {**COMMON, **ANSWERS.get(code, {})}
    groups = {k: [list(e) for e in v] for k, v in GROUPS.get(code, {}).items()}
    screen = type_until_review(services.reports, actor, services.reports.open(actor, period_id), typed=typed,
                               groups=groups, defaults=DEFAULTS, file=FILE if actor.unit_is_office else None,
                               empty_field="bỏ qua")
    screen = services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "gửi")
    services.reports.type_text(actor, screen.ref.report_id, screen.ref.step, "xác nhận")


DEFAULTS = {QType.TEXT: NONE, QType.YESNO: "có", QType.SINGLE: "1", QType.MULTI: "1", QType.INTEGER: "0",
            QType.MONEY: "0", QType.PERCENT: "0", QType.DATE: "15/01/2026", QType.DOCREF: "01/KH-SKHCN"}


def _difficulties(services: Services, clock: ManualClock, people: dict, office: Actor, director: Actor,
                  deputy: Actor) -> None:
    """One difficulty in each state, answered by the Director, a deputy director and the Office."""
    esc = services.escalations
    heads = {code: people[(code, Role.UNIT_HEAD)] for code in ("khtc", "chicuc", "qlcn", "qlkh", "ttud", "hcth",
                                                               "qlcnganh")}
    clock.set(datetime(2026, 12, 9, 14, 0))
    capital, _ = esc.raise_item(heads["khtc"], title="Vốn đối ứng dự án Trung tâm dữ liệu phân bổ chậm",
                                description="Nguồn vốn đối ứng của dự án Trung tâm dữ liệu khoa học và công nghệ "
                                            "được phân bổ chậm, ảnh hưởng tỷ lệ giải ngân.")
    esc.forward(office, capital.item_id)
    esc.instruct(director, capital.item_id, "Giao Phòng Kế hoạch - Tài chính làm việc với Sở Tài chính, đề xuất "
                                            "điều chuyển vốn trước ngày 25/12/2026.")
    lab, _ = esc.raise_item(heads["chicuc"], title="Thiếu thiết bị kiểm định phương tiện đo điện",
                            description="Chi cục chưa có thiết bị kiểm định công tơ điện 3 pha.", urgent=True)
    esc.forward(office, lab.item_id, "Đề xuất bổ sung thiết bị kiểm định công tơ điện 3 pha vào danh mục mua sắm "
                                     "năm 2027; trước mắt Chi cục phối hợp Trung tâm Ứng dụng và Dịch vụ khoa học "
                                     "công nghệ để thực hiện kiểm định.")
    esc.assign(director, lab.item_id, deputy.person_id)
    esc.instruct(deputy, lab.item_id, kind="agreed")  # the quick reply "Đồng ý."
    form, _ = esc.raise_item(heads["qlcn"], title="Chưa có mẫu báo cáo kết quả chuyển đổi số",
                             description="Đề nghị hướng dẫn mẫu báo cáo kết quả chuyển đổi số của phòng.")
    esc.answer(office, form.item_id, "Sử dụng mẫu tại Phụ lục II Kế hoạch chuyển đổi số năm 2026 của Sở; Phòng "
                                     "Hành chính - Tổng hợp đã gửi tệp mẫu qua hệ thống quản lý văn bản.")
    esc.confirm(heads["qlcn"], form.item_id)
    clock.set(datetime(2026, 12, 11, 9, 0))
    info, _ = esc.raise_item(heads["qlkh"], title="Kinh phí bảo trì cơ sở dữ liệu nhiệm vụ khoa học",
                             description="Chưa bố trí kinh phí bảo trì cơ sở dữ liệu năm 2027.")
    esc.ask_info(office, info.item_id, "Đề nghị phòng gửi dự toán chi tiết kinh phí bảo trì.")
    waiting, _ = esc.raise_item(heads["qlcnganh"], title="Chồng chéo lịch kiểm tra chuyên ngành",
                                description="Lịch kiểm tra chuyên ngành trùng với đoàn kiểm tra của Thanh tra Sở.")
    esc.receive(office, waiting.item_id)
    duplicate, _ = esc.raise_item(heads["hcth"], title="Vốn đối ứng dự án Trung tâm dữ liệu chậm",
                                  description="Như nội dung Phòng Kế hoạch - Tài chính đã báo cáo.")
    esc.close_duplicate(office, duplicate.item_id, capital.item_id)
    clock.set(datetime(2026, 12, 21, 16, 0))
    esc.raise_item(heads["ttud"], title="Thủ tục thanh lý tài sản hết khấu hao",
                   description="Trung tâm chưa được hướng dẫn thủ tục thanh lý 12 thiết bị hết khấu hao.")


def write_sample(services: Services, period_id: int, out: Path) -> SampleFiles:
    """The DOCX, the XLSX and the chart PNG of the period, as the Office would receive them."""
    from bot.documents.chart import build_chart
    from bot.i18n import I18n

    office = next(a for a in (services.people.actor_for("telegram", f"demo-{n}") for n in range(1, 20))
                  if a is not None and a.is_office)
    files = services.official_report.export(office, period_id)
    out.mkdir(parents=True, exist_ok=True)
    docx, xlsx = out / files.docx_name, out / files.xlsx_name
    docx.write_bytes(files.docx)
    xlsx.write_bytes(files.xlsx)
    chart = out / f"Bieu-do-thi-dua-{files.period.code}.png"
    png = build_chart(services.status.consolidation(office, period_id), I18n("vi", tz=services.clock.tz).get("vi"),
                      services.status.short_names())
    chart.write_bytes(png)
    return SampleFiles(docx, xlsx, chart)
