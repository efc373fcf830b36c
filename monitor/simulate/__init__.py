"""Realistic simulated mention streams with ground truth: normal days, outages, campaigns, the demo."""

from __future__ import annotations

from monitor.simulate.events import TruthEvent
from monitor.simulate.scenarios import DEFAULT_START, SCENARIOS, Scenario, ScenarioSpec, generate, write_jsonl

__all__ = ["DEFAULT_START", "SCENARIOS", "Scenario", "ScenarioSpec", "TruthEvent", "generate", "write_jsonl"]
