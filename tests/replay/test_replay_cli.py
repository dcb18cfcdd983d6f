"""`ghostcart replay`: exit 0 / 1 / 2, the transcript, the failure report and the summary."""

from __future__ import annotations

from typer.testing import CliRunner

from ghostcart_tui.cli import app

from .conftest import SCENARIOS_DIR

runner = CliRunner()

FAILING = """\
name: Wrong expectation
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90"
  - expect: {event: signature_requested, mandate_type: cart}
  - sign: approve
  - expect: {event: transaction, status: declined}
"""


def test_a_passing_scenario_exits_0_with_a_transcript(tmp_path):
    r = runner.invoke(app, ["replay", str(SCENARIOS_DIR / "hp_single_match.yaml")])
    assert r.exit_code == 0, r.output
    assert "Buy a coffee maker under $90" in r.output  # what was said
    assert "transaction(" in r.output  # key events
    assert "Replay summary" in r.output and "PASS" in r.output


def test_a_failed_expectation_exits_1_and_names_the_step_and_events(write_scenario):
    r = runner.invoke(app, ["replay", str(write_scenario(FAILING))])
    assert r.exit_code == 1, r.output
    out = " ".join(r.output.split())
    assert "step 4 (line 8)" in out
    assert "expect {event: transaction, status: declined}" in out
    assert "events seen since step 3 (sign approve)" in out
    assert "mandate_signed(" in out and "transaction(" in out and "status=authorized" in out
    assert "FAIL" in out


def test_a_yaml_error_exits_2_with_line_and_reason(write_scenario):
    bad = write_scenario("name: broken\nsteps:\n  - say: \"unterminated\n  - sign: approve\n", "bad.yaml")
    r = runner.invoke(app, ["replay", str(bad)])
    assert r.exit_code == 2
    assert f"{bad}:" in r.output and "YAML error" in r.output


def test_a_schema_error_exits_2_with_line_and_reason(write_scenario):
    bad = write_scenario("name: broken\nsteps:\n  - say: hi\n  - sign: perhaps\n", "bad.yaml")
    r = runner.invoke(app, ["replay", str(bad)])
    assert r.exit_code == 2
    assert f"{bad}:4:" in r.output and "sign is approve or decline" in r.output


def test_a_missing_file_exits_2(tmp_path):
    r = runner.invoke(app, ["replay", str(tmp_path / "nope.yaml")])
    assert r.exit_code == 2 and "no such file" in r.output


def test_replay_into_a_given_database_keeps_the_rows(tmp_path):
    db = tmp_path / "kept.db"
    r = runner.invoke(app, ["--home", str(tmp_path / "h"), "replay", "--db", str(db),
                            str(SCENARIOS_DIR / "hp_single_match.yaml")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--home", str(tmp_path / "h"), "--db", str(db), "transactions", "list", "--json"])
    assert r.exit_code == 0 and '"status": "authorized"' in r.output


def test_tui_needs_exactly_one_scenario():
    r = runner.invoke(app, ["replay", "--tui", str(SCENARIOS_DIR)])
    assert r.exit_code == 2 and "exactly one" in r.output
