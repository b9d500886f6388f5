"""A unit's report for a period: its answers (saved one by one) and its frozen submitted versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.types import UTCDateTime


class Report(SQLModel, table=True):
    """One per unit and period; `state` is a ReportState."""

    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    state: str = Field(default="draft", max_length=16)
    questionnaire_code: str = Field(max_length=64)
    questionnaire_version: int
    answered_count: int = 0
    question_count: int = 0
    version: int = 0  # number of submitted versions so far
    cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Bumped by every change (answer, move, submit, review) with `UPDATE ... WHERE step = :seen`: buttons and
    # typed answers carry the step they were shown at, so a stale or simultaneous press changes nothing.
    step: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: int | None = Field(default=None, foreign_key="person.id")
    is_late: bool = False
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_by: int | None = Field(default=None, foreign_key="person.id")


class ReportAnswer(SQLModel, table=True):
    """The current answer to one question of a draft; written before the next question is shown."""

    __table_args__ = (UniqueConstraint("report_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    question_id: str = Field(max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON))
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime = Field(sa_type=UTCDateTime)


class ReportVersion(SQLModel, table=True):
    """A submitted version, frozen (chốt số liệu); earlier versions are kept."""

    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version: int
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answered_by: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    submitted_by: int | None = Field(default=None, foreign_key="person.id")
    is_late: bool = False
    # submitted | returned | accepted | withdrawn (the unit reopened it to revise before the Office decided)
    review_state: str = Field(default="submitted", max_length=16)
    review_comment: str | None = Field(default=None, max_length=4000)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: int | None = Field(default=None, foreign_key="person.id")


class QuestionnaireSnapshot(SQLModel, table=True):
    """A questionnaire definition as first loaded (config/questionnaires/), so a report keeps its version."""

    __table_args__ = (UniqueConstraint("code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    version: int
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checksum: str = Field(max_length=64)  # sha256 of the definition, to notice a file edited in place
    loaded_at: datetime = Field(sa_type=UTCDateTime)
    # New reports use the highest activated version. A file deployed with the bot is active once stored; a version
    # the Office uploads on the desk waits (None) until the Office activates it there.
    # (Who uploaded and who activated it is in the audit log.)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
