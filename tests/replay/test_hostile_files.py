"""Defect 8 and the scenario part of the "Also" list: hostile scenario files are refused quickly,
with exit 2 and the reason, never a traceback or a runaway process."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest

from ghostcart_tui.replay.schema import ScenarioError, load_scenario
from ghostcart_tui.replay.yaml_bounded import MAX_ALIASES, MAX_BYTES

HEAD = "name: hostile\nsteps:\n  - say: hi\n"


def laughs(levels: int = 9, width: int = 9) -> str:
    """The classic: each level is `width` aliases of the one before (width**levels leaves)."""
    lines = [HEAD + "  - expect:", "      event: transaction", "      a: &a [" + ",".join(["lol"] * width) + "]"]
    prev = "a"
    for c in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"      {c}: &{c} [" + ",".join([f"*{prev}"] * width) + "]")
        prev = c
    return "\n".join(lines) + "\n"


@pytest.fixture
def fast():
    """Each case must be refused well under a second."""
    t0 = time.perf_counter()
    yield
    assert time.perf_counter() - t0 < 0.5


def _refused(write_scenario, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(text))
    return info.value


def test_billion_laughs_is_refused(write_scenario, fast):
    err = _refused(write_scenario, laughs())
    assert "expands to more than" in err.reason and err.line is not None


def test_a_small_laughs_is_refused_too(write_scenario, fast):
    err = _refused(write_scenario, laughs(levels=6))  # 531,441 leaves: loaded silently before
    assert "expands to more than" in err.reason


@pytest.mark.parametrize("opener,closer,n", [("[", "]", 100_000), ("{a: ", "}", 50_000), ("- ", "", 1)])
def test_deep_nesting_is_refused_without_recursion_error(write_scenario, fast, opener, closer, n):
    # n == 1 is block style: each level indented one more
    deep = "".join("\n" + "  " * (i + 4) + "- " for i in range(300)) + "x" if n == 1 else opener * n + "x" + closer * n
    text = HEAD + "  - expect:\n      event: x\n      deep: " + deep + "\n"
    err = _refused(write_scenario, text)
    assert "nested deeper than" in err.reason


def test_recursive_alias_is_refused(write_scenario, fast):
    err = _refused(write_scenario, HEAD + "  - expect: &e {event: x, again: *e}\n")
    assert "recursive" in err.reason


def test_too_many_aliases(write_scenario, fast):
    many = ",".join(["*v"] * (MAX_ALIASES + 1))
    err = _refused(write_scenario, HEAD + f"  - expect: {{event: x, v: &v 1, many: [{many}]}}\n")
    assert "aliases" in err.reason


def test_a_huge_file_is_refused_unread(write_scenario, fast):
    err = _refused(write_scenario, HEAD + "# " + "x" * (MAX_BYTES + 10) + "\n")
    assert "larger than" in err.reason


def test_modest_aliases_still_work(write_scenario, fast):
    text = HEAD + "  - expect: &t {event: transaction, status: authorized}\n  - expect: *t\n"
    sc = load_scenario(write_scenario(text))
    assert sc.steps[1].value == sc.steps[2].value


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "1900-01-01T00:00:00Z"])
def test_start_outside_a_sane_range(write_scenario, start):
    err = _refused(write_scenario, f"name: x\nsettings:\n  start: \"{start}\"\nsteps:\n  - say: hi\n")
    assert "start" in err.reason and "between" in err.reason and err.line == 3


@pytest.mark.parametrize("user", ["..", ".", "...", "a/b"])
def test_path_like_user_is_refused(write_scenario, user):
    err = _refused(write_scenario, f"name: x\nsettings:\n  user: \"{user}\"\nsteps:\n  - say: hi\n")
    assert "user" in err.reason and err.line == 3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))


def test_replay_cli_answers_exit_2_for_the_probe_file(tmp_path):
    """The probe's file through the real command (a child process, memory- and time-capped so the
    old behaviour could not take the machine down)."""
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs())
    nested = tmp_path / "nested.yaml"
    nested.write_text(HEAD + "  - expect: {event: x, deep: " + "[" * 100_000 + "]" * 100_000 + "}\n")
    proc = subprocess.run([sys.executable, "-m", "ghostcart_tui", "--home", str(tmp_path / "h"), "replay",
                           str(path), str(nested)], capture_output=True, text=True, timeout=30,
                          preexec_fn=_limit_memory, env={"GHOSTCART_MODEL": "offline", "COLUMNS": "300",
                                                         "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    assert "laughs.yaml" in proc.stderr and "expands to more than" in proc.stderr
    assert "nested.yaml" in proc.stderr and "nested deeper than" in proc.stderr
    assert not (tmp_path / "h" / "ghostcart.db").exists()  # refused before anything was opened
