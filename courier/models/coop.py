"""The coop's own settings, by key (see :mod:`courier.settings`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from courier.models.base import Base, utcnow


class CoopSetting(Base):
    """One setting the coop chose (name, city, open data...), as JSON by key."""

    __tablename__ = "coop_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
