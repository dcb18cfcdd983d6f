"""Scripted scenario replay (SCENARIOS.md): `schema` loads and validates files, `runner` plays
them headless against a fresh runtime, `report` renders transcripts and the summary."""

from .schema import Scenario, ScenarioError, Step, collect_files, load_scenario

__all__ = ["Scenario", "ScenarioError", "Step", "collect_files", "load_scenario"]
