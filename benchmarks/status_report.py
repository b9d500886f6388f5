"""Benchmark (not a test): status, official report (DOCX) and annex (XLSX) for a synthetic organisation.

    .venv/bin/python benchmarks/status_report.py                  # 100, 1,000 and 5,000 units
    .venv/bin/python benchmarks/status_report.py --units 1000     # one size

Each size gets a fresh SQLite database with N units, each with a complete submitted report (capital, savings,
prose under every criterion, two initiatives, an exemplar, two commendation proposals). Times are wall
clock without tracing; peak memory is measured in a second run under tracemalloc (Python allocations).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.documents.docx_report import build_report  # noqa: E402
from bot.documents.xlsx_annex import build_annex  # noqa: E402
from bot.i18n import I18n  # noqa: E402
from bot.services import build_services  # noqa: E402
from handlers.status.render import board_text  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Period, Report, ReportVersion, Unit  # noqa: E402

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
FORMS = ["huan_chuong_ld", "bk_thu_tuong", "bk_bo_nganh", "bk_ubnd_tinh", "bk_mat_tran_tinh", "giay_khen_gd"]


def answers(i: int) -> dict[str, Any]:
    holds = i % 3 != 0
    return {
        "capital_holds": holds, **({"capital_plan": 1_000_000_000 + i * 1_000_000,
                                    "capital_disbursed": 800_000_000 + i * 900_000} if holds else {}),
        "thrift_savings": 10_000_000 + i * 1000,
        "infra_planning": f"Đơn vị {i} tham mưu hoàn thiện cơ chế, chính sách về đầu tư kết cấu hạ tầng.",
        "infra_digital": f"Đơn vị {i} triển khai hồ sơ điện tử, số hóa 100% văn bản đi, đến.",
        "infra_admin_reform": "Công khai đầy đủ thủ tục hành chính trên Cổng dịch vụ công.",
        "infra_enterprise_support": "Hướng dẫn 12 doanh nghiệp xây dựng kế hoạch đào tạo nguồn nhân lực.",
        "thrift_programme": "Ban hành Chương trình thực hành tiết kiệm, chống lãng phí năm 2026.",
        "thrift_norms": "Rà soát định mức kinh tế - kỹ thuật.",
        "thrift_funds": "Mua sắm tập trung, tiết kiệm 5% dự toán.",
        "initiatives": [{"title": f"Sáng kiến {i}.{k}", "description": "Rút ngắn thời gian xử lý hồ sơ",
                         "author": f"Tác giả {i}.{k}"} for k in (1, 2)],
        "exemplars": [{"kind": "individual", "name": f"Cá nhân {i}", "achievement": "Hoàn thành xuất sắc"}],
        "difficulties": f"Đơn vị {i}: thiếu nhân lực chuyên trách.",
        "proposals": "Đề nghị bổ sung kinh phí.",
        "commendations": [{"target_kind": "collective", "name": f"Tập thể đơn vị {i}", "form": FORMS[i % 6],
                           "achievement": "Thành tích xuất sắc"},
                          {"target_kind": "individual", "name": f"Cá nhân {i}", "form": FORMS[(i + 3) % 6],
                           "achievement": "Có sáng kiến"}],
    }


def organisation(db: Database, units: int) -> int:
    """N units, the annual period, a submitted report with one frozen version per unit; the period id."""
    with db.session() as session:
        period = Period(code="2026-Y", kind="annual", year=2026, phase=2, data_from=NOW.date().replace(year=2025, month=12, day=15),
                        data_to=NOW.date().replace(day=14), opens_on=NOW.date().replace(month=11, day=15),
                        deadline=NOW.date().replace(day=20), closes_on=NOW.date().replace(day=20) + timedelta(days=30),
                        created_at=NOW, updated_at=NOW)
        session.add(period)
        session.add_all([Unit(code=f"u{i}", name=f"Phòng, đơn vị số {i} thuộc Sở", sort_order=i, created_at=NOW)
                         for i in range(1, units + 1)])
        session.flush()
        period_id = period.id
    with db.session() as session:
        reports = [Report(period_id=period_id, unit_id=i, state="submitted", questionnaire_code="bench",
                          questionnaire_version=1, answered_count=30, question_count=30, version=1,
                          created_at=NOW, updated_at=NOW, submitted_at=NOW, is_late=i % 10 == 0)
                   for i in range(1, units + 1)]
        session.add_all(reports)
        session.flush()
        session.add_all([ReportVersion(report_id=r.id, version=1, answers=answers(r.unit_id), answered_by={},
                                       submitted_at=NOW, is_late=r.is_late) for r in reports])
    return period_id


def measure(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, peak MB): timed untraced, then run again under tracemalloc for the peak."""
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def run(units: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.sqlite3")
        db.create_all()
        period_id = organisation(db, units)
        settings = Settings(_env_file=None, data_dir=Path(folder), database_url="")
        services = build_services(settings, db, ManualClock(NOW))
        tr = I18n().get("vi")
        c, t_status, m_status = measure(lambda: services.status.build(period_id))
        _board, t_board, m_board = measure(lambda: board_text(c, tr))
        docx, t_docx, m_docx = measure(lambda: build_report(c, "Giám đốc"))
        xlsx, t_xlsx, m_xlsx = measure(lambda: build_annex(c))
        db.dispose()
    total = t_status + t_board + t_docx + t_xlsx
    return [f"{units:>6} | status {t_status:6.3f} s {m_status:6.1f} MB | board {t_board:6.3f} s | "
            f"docx {t_docx:6.3f} s {m_docx:6.1f} MB {len(docx) / 1024:7.0f} KB | "
            f"xlsx {t_xlsx:6.3f} s {m_xlsx:6.1f} MB {len(xlsx) / 1024:6.0f} KB | total {total:6.3f} s "
            f"| peak {max(m_status, m_board, m_docx, m_xlsx):6.1f} MB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, action="append", help="organisation size (repeatable)")
    sizes = parser.parse_args().units or [100, 1000, 5000]
    run(20)  # warm-up: imports, Babel's locale data, first-use costs kept out of the figures
    print("units  | time and peak traced memory of each step (status = the three queries + consolidation)")
    for size in sizes:
        for line in run(size):
            print(line, flush=True)
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
