"""AUTH-8 on the schedule: dormant accounts are warned, then deleted (services/dormancy.py)."""

from __future__ import annotations

from datetime import datetime

from entitle.services import dormancy
from entitle.settings import Settings


async def run(settings: Settings, now: datetime) -> dormancy.DormancyReport:
    return await dormancy.sweep(settings, now)
