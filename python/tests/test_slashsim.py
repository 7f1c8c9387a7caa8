"""Tests of the Python interface against the slashsim binary (SLASHSIM_BIN, else on PATH).

Every number is compared with the binary's own JSON report, so the interface adds nothing and loses nothing;
scenario errors must arrive as typed exceptions with every diagnostic."""
import json
import math
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import slashsim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "Scenarios"


def cli_json(*args):
    return json.loads(subprocess.run([slashsim.binary(), *args, "--format", "json", "--quiet"], check=True,
                                     capture_output=True).stdout)


def without_timing(report):
    return {k: v for k, v in report.items() if k not in ("elapsed_seconds", "threads")}


def test_report_is_the_commands_json():
    r = slashsim.run(SCENARIOS / "three-lrts.yaml", trials=20_000, seed=3)
    expected = cli_json("run", str(SCENARIOS / "three-lrts.yaml"), "--trials", "20000", "--seed", "3")
    assert without_timing(r.report) == without_timing(expected)
    assert r.report["trials"] == 20_000 and r.report["seed"] == 3


def test_tables_follow_the_report():
    r = slashsim.run(SCENARIOS / "three-lrts.yaml", trials=20_000, quantiles=[0.9, 0.99])
    total = r.report["total"]
    assert list(r.quantiles["level"]) == [0.9, 0.99]
    assert list(r.quantiles["loss"]) == [q["loss"] for q in total["quantiles"]]
    assert list(r.expected_shortfall["standard_error"]) == [es["standard_error"] for es in total["expected_shortfall"]]
    assert len(r.operators) == len(r.report["operators"]) == 40
    assert "expected_shortfall_contributions" not in r.operators.columns
    assert set(r.operators["id"]) == {op["id"] for op in r.report["operators"]}
    # Contributions add up to the total's expected shortfall at each level (operators, and services, each).
    for level, es in zip([0.9, 0.99], total["expected_shortfall"]):
        for entity in ("operator", "service"):
            part = r.contributions.query("entity == @entity and level == @level")["loss"].sum()
            assert math.isclose(part, es["loss"], rel_tol=1e-9), (entity, level)
    tokens = r.tokens
    assert set(tokens["measure"]) == {"loss", "nav_loss_fraction"}
    first = r.report["tokens"][0]
    mean = tokens.query("id == @first['id'] and measure == 'nav_loss_fraction' and statistic == 'mean'")["value"].item()
    assert mean == first["nav_loss_fraction"]["mean"]
    liquidation = r.portfolios.query("statistic == 'probability_of_liquidation'")
    assert list(liquidation["value"]) == [p["probability_of_liquidation"] for p in r.report["portfolios"]]
    curves = r.distribution
    assert list(curves.columns) == ["scenario", "scope", "id", "kind", "loss", "exceedance_probability", "probability_at_least", "standard_error"]
    assert set(curves["scope"]) == {"total", "token", "portfolio"}
    assert not curves["id"].isna().any()  # the total's id is "total", never read as NaN


def test_a_dict_scenario_runs_like_its_file():
    import yaml  # PyYAML comes with the test environment
    scenario = yaml.safe_load((SCENARIOS / "default.yaml").read_text())
    from_dict = slashsim.run(scenario, trials=10_000)
    from_file = slashsim.run(SCENARIOS / "default.yaml", trials=10_000)
    assert from_dict.report["total"] == from_file.report["total"]
    assert from_dict.report["scenario_file"] == "stdin"


def test_scenario_errors_are_typed_with_every_diagnostic():
    bad = {"operators": [{"id": "a", "stake": 1, "fault_probability": 2}, {"id": "a", "stake": -1, "fault_probability": 0.1}]}
    with pytest.raises(slashsim.ScenarioError) as caught:
        slashsim.run(bad, trials=1000)
    error = caught.value
    assert error.exit_code == 65
    paths = [d.path for d in error.diagnostics]
    assert "operators[0].fault_probability" in paths and "operators[1].stake" in paths
    assert all(d.fix for d in error.diagnostics)
    with pytest.raises(slashsim.ScenarioError) as missing:
        slashsim.run("no/such/file.yaml")
    assert missing.value.exit_code == 66
    with pytest.raises(slashsim.UsageError):
        slashsim.run(SCENARIOS / "default.yaml", trials=0)


def test_stresses_give_a_comparison():
    c = slashsim.run(SCENARIOS / "three-lrts.yaml", stresses=[SCENARIOS / "stresses" / "avs-bug.yaml"], trials=20_000)
    assert isinstance(c, slashsim.Comparison)
    assert list(c.stresses) == ["avs-bug"]
    assert c.stresses["avs-bug"].report == c.report["stresses"][0]["report"]
    table = c.table()
    assert list(table["scenario"]) == ["base", "avs-bug"]
    assert table["expected_shortfall_change"].iloc[0] == 0 and table["expected_shortfall_change"].iloc[1] > 0
    assert set(c.distribution["scenario"]) == {"base", "avs-bug"}
    assert set(c.stresses["avs-bug"].distribution["scenario"]) == {"avs-bug"}


def test_sweep_crosses_its_settings():
    scenario = {"operators": [{"id": "a", "stake": 32000, "fault_probability": 0.01}, {"id": "b", "stake": 64000, "fault_probability": 0.02}],
                "correlation": {"constant": 0.2}}
    s = slashsim.sweep(scenario, {"correlation.constant": [0.1, 0.3], "operators[*].fault_probability": [0.01, 0.02]}, trials=5_000)
    assert s.parameters == ["correlation.constant", "operators[*].fault_probability"]
    assert len(s.points) == 4
    assert list(s.table.columns[:2]) == s.parameters
    assert [p for p, _ in s.points][3] == {"correlation.constant": 0.3, "operators[*].fault_probability": 0.02}
    # The last point is the run of that scenario.
    direct = slashsim.run({**scenario, "operators": [dict(op, fault_probability=0.02) for op in scenario["operators"]],
                           "correlation": {"constant": 0.3}}, trials=5_000, contributions=False, distribution=False)
    assert s.points[3][1].report["total"] == direct.report["total"]
    zipped = slashsim.sweep(scenario, {"correlation.constant": [0.1, 0.3], "operators[*].fault_probability": [0.01, 0.02]}, zip=True, trials=2_000)
    assert len(zipped.points) == 2


def test_validate_returns_the_json_object():
    checked = slashsim.validate(SCENARIOS / "three-lrts.yaml", stresses=[SCENARIOS / "stresses" / "cloud-outage.yaml"])
    assert checked["valid"] is True
    assert [f["kind"] for f in checked["files"]] == ["scenario", "stress"]
    bad = slashsim.validate({"operators": []})
    assert bad["valid"] is False and bad["files"][0]["problems"]


def test_the_binary_is_named_clearly_when_missing(monkeypatch):
    monkeypatch.setenv("SLASHSIM_BIN", "/nonexistent/slashsim")
    with pytest.raises(FileNotFoundError, match="SLASHSIM_BIN"):
        slashsim.run(SCENARIOS / "default.yaml")


def test_precision_finds_the_trials():
    r = slashsim.run(SCENARIOS / "example.yaml", trials=1_000_000, quantiles=[0.99], precision=0.05, contributions=False, distribution=False)
    target = r.report["precision_target"]
    assert target["met"] and r.report["trials"] == target["trials"] < 1_000_000
    es = r.expected_shortfall.iloc[0]
    assert es["standard_error"] <= 0.05 * es["loss"]


def test_html_report_is_written(tmp_path):
    page = tmp_path / "report.html"
    r = slashsim.run(SCENARIOS / "example.yaml", trials=20_000, html=page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and r.report["scenario_sha256"] in text
    assert '<section id="total">' in text and "<script" not in text
