"""The time limits for a person's request about their data, under Nghị định 356/2025/NĐ-CP.

Sources read (with the search tool, 7 December 2026): the decree (356/2025/NĐ-CP of 31/12/2025, in force
01/01/2026, replacing 13/2023/NĐ-CP; official text https://datafiles.chinhphu.vn/cpp/files/vbpq/2026/01/356-nd.signed.pdf),
as summarised by Frasers Law Company ("The Next Chapter in Data Protection", 19/01/2026: the controller answers
within two (2) working days of receiving a request and says how it will be carried out, and each kind of request
has its own time limit, extendable once) and by CDLAF ("Rights of personal data subjects ... under Decree No.
356/2025/ND-CP": answer within 02 working days; carry the request out within 10 to 20 days; withdrawal of
consent, restriction and objection within 15 days, 20 with a processor, one extension of at most 15 days).
The split used here, correction within 10 days and erasure within 20, is the issue's and fits that range; the
rights themselves are Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Điều 13 (correction) and Điều 14 (erasure).
The decree's own article number could not be read through the search tool: docs/PRIVACY.md asks the Office to
check it in the official text before adopting the notice.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.calendar import WorkingCalendar

ANSWER_WORKING_DAYS = 2  # acknowledge and explain the procedure
CORRECT_DAYS = 10
ERASE_DAYS = 20
DAYS = {"correct": CORRECT_DAYS, "erase": ERASE_DAYS}


def answer_by(calendar: WorkingCalendar, received: date) -> date:
    """The last day to answer: the second working day after the request arrived."""
    return calendar.add_working_days(received, ANSWER_WORKING_DAYS)


def due_by(kind: str, received: date) -> date:
    """The last day to have corrected (10 days) or erased (20 days), counted from the day it arrived."""
    return received + timedelta(days=DAYS[kind])
