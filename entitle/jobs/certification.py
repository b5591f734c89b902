"""CERT-1, CERT-4: reminders before the certification due date, and the past-due notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.services import certification
from entitle.settings import Settings


@dataclass
class CertificationReport:
    notified: int = 0


async def run(settings: Settings, now: datetime) -> CertificationReport:
    return CertificationReport(notified=await certification.send_notices(now))
