"""REQ-3: request drafts left for 30 days are deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.services import requests
from entitle.settings import Settings


@dataclass
class RequestsReport:
    deleted: int = 0


async def run(settings: Settings, now: datetime) -> RequestsReport:
    return RequestsReport(deleted=await requests.expire_drafts(now))
