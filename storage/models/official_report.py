"""The Administration Office's own texts of the official report, per period (sections I, III, V, VI, signer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class OfficialReportText(SQLModel, table=True):
    """One part of one period's report as the Office wrote it; no row means the bot's draft is printed."""

    __table_args__ = (UniqueConstraint("period_id", "part"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    part: str = Field(max_length=32)  # leadership | assessment | direction | recommendations | signer
    text: str = Field(sa_type=Text)
    updated_by: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)
