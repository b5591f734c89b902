"""Schema migrations, through piccolo's runner."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


class MigrationFailed(RuntimeError):
    pass


async def migrate(*, quiet: bool = True) -> None:
    """Apply every pending migration of the bound database."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="entitle", migration_id="all")
    if not result.success:
        raise MigrationFailed(f"migrations failed: {result.message}\n{output.getvalue()}")
