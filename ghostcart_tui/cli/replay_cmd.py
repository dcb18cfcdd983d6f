"""`ghostcart replay FILE_OR_DIR...`: run scenario files headless (or one in the TUI)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import EXIT_FAIL, EXIT_USAGE, CliError, console, opts, settings, txt

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..replay.runner import ScenarioResult
    from ..replay.schema import Scenario


def replay(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Scenario files, or folders of *.yaml files.")],
    tui: Annotated[bool, typer.Option("--tui", help="Play one scenario visibly in the TUI.")] = False,
    db: Annotated[Path | None, typer.Option("--db", help="Use this database (and the data folder's keys) "
                                                         "instead of a fresh temporary one per scenario.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every event, with every field.")] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Keep each scenario's temporary data folder.")] = False,
    pause: Annotated[float, typer.Option("--pause", min=0.0, help="With --tui: seconds between steps "
                                                                   "(0 plays at full speed).")] = 1.0,
    hold: Annotated[bool, typer.Option("--hold/--no-hold", help="With --tui: stay on the result until "
                                                                 "you quit (Ctrl+Q).")] = True,
) -> None:
    from ..replay.report import print_result_footer, print_scenario_header, render_line, summary_table
    from ..replay.schema import ScenarioError, collect_files, load_scenario

    out = console()
    files: list[Path] = []
    invalid: list[ScenarioError] = []
    for p in paths:
        if not p.exists():
            invalid.append(ScenarioError(p, None, "no such file or directory"))
        else:
            found = collect_files([p])
            if p.is_dir() and not found:
                invalid.append(ScenarioError(p, None, "no *.yaml scenario files in this folder"))
            files += found
    scenarios = []
    for f in files:
        try:
            scenarios.append(load_scenario(f))
        except ScenarioError as exc:
            invalid.append(exc)
    if invalid:
        err = console(stderr=True)
        for problem in invalid:
            err.print(txt(f"invalid scenario: {problem}", "bold red"), soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)

    db = db or opts(ctx).db
    base = settings(ctx)
    if tui:
        if len(scenarios) != 1:
            raise CliError("--tui plays exactly one scenario; give one file", EXIT_USAGE)
        _play_in_tui(ctx, scenarios[0], base, db, pause=pause, hold=hold)
        return

    import asyncio

    from ..replay.runner import ScenarioRunner

    results = []
    for sc in scenarios:
        print_scenario_header(out, sc.name, sc.path)
        runner = ScenarioRunner(sc, base_settings=base, db=db, verbose=verbose, keep_home=keep,
                                on_line=lambda line: out.print(render_line(line, verbose=verbose), soft_wrap=True))
        result = asyncio.run(runner.run())
        print_result_footer(out, result)
        results.append(result)
    out.print(summary_table(results, []))
    failed = [r for r in results if not r.passed]
    out.print(txt(f"{len(results) - len(failed)} passed, {len(failed)} failed",
                  "bold red" if failed else "bold green"))
    if failed:
        raise typer.Exit(EXIT_FAIL)


def _play_in_tui(ctx: typer.Context, scenario: Scenario, base: Settings, db: Path | None, *, pause: float = 1.0,
                 hold: bool = True) -> None:
    from ..replay.report import print_result_footer, print_scenario_header
    from ..replay.runner import ScenarioRunner
    from .tui import tui_module

    mod = tui_module()
    play = getattr(mod, "run_replay", None) if mod is not None else None
    if play is None:
        raise CliError("the TUI cannot play scenarios yet (ghostcart_tui.tui.app.run_replay is missing); "
                       "run `ghostcart replay` without --tui for a headless transcript")
    out = console()

    def on_result(result: ScenarioResult | None) -> None:
        # after the app has left the screen: the same footer as headless
        print_scenario_header(out, scenario.name, scenario.path)
        if result is None:
            out.print(txt("the replay was stopped before it finished", "bold red"))
        else:
            print_result_footer(out, result)

    # ScenarioRunner is passed in: the TUI layer sits below the replay layer and cannot import it.
    exit_code = play(scenario, base_settings=base, db=db, runner=ScenarioRunner, pause=pause, hold=hold,
                     on_result=on_result)
    if exit_code:
        raise typer.Exit(int(exit_code))
