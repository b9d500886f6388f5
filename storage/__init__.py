"""Persistence: SQLModel models, the database wrapper and Alembic migrations."""
