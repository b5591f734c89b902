"""CERT-2, REP-1: write the report exports asked for, and clear the expired ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.services.reports import exports
from entitle.settings import Settings


@dataclass
class ExportsReport:
    written: int = 0
    expired: int = 0


async def run(settings: Settings, now: datetime) -> ExportsReport:
    return ExportsReport(
        written=await exports.prepare_pending(settings, now),
        expired=await exports.expire(settings, now),
    )
