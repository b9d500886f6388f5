"""`python -m bot export --period 2026-Y --out DIR`: the official report and its annex without Telegram."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="the official report (DOCX) and annex (XLSX) of a period")
    export.add_argument("--period", required=True, help='period code, for example "2026-H1" or "2026-Y"')
    export.add_argument("--out", type=Path, default=Path("."), help="folder to write the two files to")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Write both files; the audit log records the export (no person: the server's operator)."""
    from bot.__main__ import _services

    services = _services(settings)
    period = next((p for p in services.periods.list_periods() if p.code.lower() == args.period.strip().lower()), None)
    if period is None:
        known = ", ".join(p.code for p in services.periods.list_periods())
        print(f"Không có kỳ báo cáo {args.period!r} / no such period. Các kỳ / periods: {known}")
        return 2
    files = services.official_report.export_files(period.period_id)
    services.status.record_export(None, period.period_id)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in ((files.docx_name, files.docx), (files.xlsx_name, files.xlsx)):
        (args.out / name).write_bytes(content)
        print(args.out / name)
    if files.missing:
        print(f"{files.missing} phòng, đơn vị chưa gửi báo cáo / units have not submitted (listed as missing)")
    return 0


def add_sample_parser(sub: argparse._SubParsersAction) -> None:
    sample = sub.add_parser("sample-report", help="a demo period in a throw-away database: DOCX, XLSX and chart")
    sample.add_argument("--out", type=Path, default=Path("sample-report"), help="folder to write the files to")


def run_sample(settings: Settings, args: argparse.Namespace) -> int:
    """Build the demo period through the chat's services in a temporary SQLite file, write the three files."""
    import tempfile

    from bot.services.official_report.sample import build_sample, sample_services, write_sample

    with tempfile.TemporaryDirectory(prefix="sample-report-") as folder:
        services, clock = sample_services(f"sqlite:///{Path(folder) / 'sample.sqlite3'}", settings)
        period_id = build_sample(services, clock)
        files = write_sample(services, period_id, args.out)
        services.db.engine.dispose()
    for path in (files.docx, files.xlsx, files.chart):
        print(path)
    return 0
