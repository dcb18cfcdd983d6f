"""`ghostcart verify FILE`: an AP2 export (v0.2, or GhostCart's v0.1 chain export) verified
offline, check by check; exit 0 when every check holds, 1 otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_FAIL, CliError, console, print_json, txt


def verify(
    file: Annotated[
        Path, typer.Argument(help="An export: `mandates export … [--ap2-version 0.2]`.", exists=False, dir_okay=False)
    ],
    now: Annotated[bool, typer.Option("--now", help="Also require the open mandates to be valid now.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Verify an AP2 export offline and print what holds, check by check."""
    try:
        doc = json.loads(Path(file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"{file} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CliError(f"{file} is not a JSON export: {exc}") from None
    if isinstance(doc, dict) and doc.get("ap2_version") == "0.2":
        from ..ap2.v02.verify import verify_export

        kind = f"AP2 v0.2 {str(doc.get('mode', '')).replace('_', ' ')}"
        report = verify_export(doc, now=datetime.now(UTC) if now else None)
    else:
        from ..ap2.v02.legacy import verify_v01_export

        kind = "AP2 v0.1 chain"
        report = verify_v01_export(doc if isinstance(doc, dict) else {})
    if as_json:
        print_json({"ok": report.ok, "kind": kind, **report.to_dict()})
    else:
        out = console()
        out.print(txt(f"{kind} export {file}", "bold"))
        for v in report.verdicts:
            line = txt("  ✓ " if v.ok else "  ✗ ", "green" if v.ok else "bold red")
            line.append_text(txt(v.check, "" if v.ok else "red"))
            if not v.ok and v.code:
                line.append_text(txt(f" [{v.code}]", "red"))
            line.append_text(txt(f" — {v.reason}", "dim" if v.ok else "red"))
            out.print(line)
        n = len(report.failures)
        out.print(
            txt(f"all {len(report.verdicts)} checks hold", "bold green")
            if report.ok
            else txt(f"REFUSED: {n} of {len(report.verdicts)} checks fail", "bold red")
        )
    if not report.ok:
        raise typer.Exit(EXIT_FAIL)
