"""Python interface to slashsim, the Monte Carlo simulator of correlated slashing losses in Ethereum restaking.

Every function runs the `slashsim` binary (``SLASHSIM_BIN``, else ``slashsim`` on ``PATH``) and reads its JSON
report, so the numbers are the command's, bit for bit: ``run(...).report`` is exactly what
``slashsim run --format json`` prints.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

__all__ = ["run", "sweep", "validate", "binary", "Result", "Comparison", "SweepResult", "Diagnostic",
           "SlashsimError", "ScenarioError", "UsageError"]
__version__ = "0.2.0"

Scenario = Union[str, os.PathLike, Mapping[str, Any]]


# MARK: errors

@dataclass(frozen=True)
class Diagnostic:
    """One problem in a scenario: where it is (file, 1-based line and column, path inside it), what and the fix."""
    file: str
    line: Optional[int]
    column: Optional[int]
    path: str
    problem: str
    fix: str

    def __str__(self) -> str:
        place = self.file + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.column else "")
        return f"{place}: {self.path + ': ' if self.path else ''}{self.problem}. Fix: {self.fix}"


class SlashsimError(Exception):
    """slashsim failed; `exit_code` is its exit status and `stderr` what it printed."""

    def __init__(self, message: str, exit_code: int, stderr: str):
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr


class ScenarioError(SlashsimError):
    """The scenario (or a stress file) is invalid or unreadable (exit 65 or 66): `diagnostics` lists every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic], exit_code: int, stderr: str):
        lines = [str(d) for d in diagnostics] or [stderr.strip()]
        super().__init__("\n".join(lines), exit_code, stderr)
        self.diagnostics = list(diagnostics)


class UsageError(SlashsimError):
    """An argument slashsim does not accept (exit 64)."""


# MARK: the binary

def binary() -> str:
    """The slashsim executable: ``SLASHSIM_BIN``, else ``slashsim`` on ``PATH``."""
    explicit = os.environ.get("SLASHSIM_BIN")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise FileNotFoundError(f"SLASHSIM_BIN={explicit} is not an executable file. Fix: point it at a built slashsim "
                                    "(e.g. .build/release/slashsim)")
        return explicit
    found = shutil.which("slashsim")
    if not found:
        raise FileNotFoundError("slashsim is not on PATH. Fix: build it (swift build -c release --product slashsim) and set "
                                "SLASHSIM_BIN=/path/to/.build/release/slashsim, or put it on PATH")
    return found


def _scenario_argument(scenario: Scenario) -> tuple[str, Optional[bytes]]:
    """The command-line argument for a scenario and the bytes to pipe in: a path as is, a dict as JSON on stdin."""
    if isinstance(scenario, Mapping):
        return "-", json.dumps(scenario).encode()
    return os.fspath(scenario), None


def _run(arguments: list[str], stdin: Optional[bytes] = None, scenario: Optional[Scenario] = None) -> subprocess.CompletedProcess:
    process = subprocess.run([binary()] + arguments, input=stdin, capture_output=True)
    if process.returncode == 0:
        return process
    stderr = process.stderr.decode(errors="replace")
    if process.returncode == 64:
        raise UsageError(stderr.strip().removeprefix("error: "), 64, stderr)
    if process.returncode in (65, 66):
        raise ScenarioError(_diagnostics(stderr, scenario), process.returncode, stderr)
    raise SlashsimError(f"slashsim exited with {process.returncode}: {stderr.strip()}", process.returncode, stderr)


def _diagnostics(stderr: str, scenario: Optional[Scenario]) -> list[Diagnostic]:
    """Structured problems: from ``slashsim validate --format json`` on the scenario when it finds them, else one
    per ``error:`` line (run-level problems such as a run too large for memory)."""
    if scenario is not None:
        argument, stdin = _scenario_argument(scenario)
        checked = subprocess.run([binary(), "validate", argument, "--format", "json"], input=stdin, capture_output=True)
        try:
            files = json.loads(checked.stdout)["files"]
            found = [Diagnostic(p["file"], p.get("line"), p.get("column"), p["path"], p["problem"], p["fix"])
                     for f in files for p in f["problems"]]
            if found:
                return found
        except (ValueError, KeyError, TypeError):
            pass
    out = []
    for line in stderr.splitlines():
        if line.startswith("error: "):
            text = line[len("error: "):]
            problem, _, fix = text.partition(". Fix: ")
            out.append(Diagnostic("", None, None, "", problem, fix))
    return out


def _settings(trials, seed, threads, quantiles, arithmetic) -> list[str]:
    args = []
    if trials is not None:
        args += ["--trials", str(int(trials))]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if threads is not None:
        args += ["--threads", str(int(threads))]
    if quantiles is not None:
        args += ["--quantiles", ",".join(repr(float(q)) for q in quantiles)]
    if arithmetic is not None:
        args += ["--arithmetic", arithmetic]
    return args


# MARK: results

def _total_frames(total: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    quantiles = pd.DataFrame([{"level": q["level"], "loss": q["loss"], "ci95_lower": q["ci95"][0], "ci95_upper": q["ci95"][1]}
                              for q in total["quantiles"]], columns=["level", "loss", "ci95_lower", "ci95_upper"])
    shortfall = pd.DataFrame(total["expected_shortfall"], columns=["level", "loss", "standard_error"])
    return quantiles, shortfall


def _long_statistics(entity_id: str, measure: str, total: Mapping[str, Any]) -> list[dict]:
    """The statistics of one `total`-shaped object as long rows (the CSV report's layout)."""
    rows = [
        {"id": entity_id, "measure": measure, "statistic": "mean", "level": None, "value": total["mean"],
         "standard_error": total["mean_standard_error"], "ci95_lower": None, "ci95_upper": None},
        {"id": entity_id, "measure": measure, "statistic": "standard_deviation", "level": None, "value": total["standard_deviation"],
         "standard_error": None, "ci95_lower": None, "ci95_upper": None},
        {"id": entity_id, "measure": measure, "statistic": "probability_of_loss", "level": None, "value": total["probability_of_loss"],
         "standard_error": total["probability_of_loss_standard_error"], "ci95_lower": None, "ci95_upper": None},
        {"id": entity_id, "measure": measure, "statistic": "maximum", "level": None, "value": total["maximum"],
         "standard_error": None, "ci95_lower": None, "ci95_upper": None},
    ]
    for q in total["quantiles"]:
        rows.append({"id": entity_id, "measure": measure, "statistic": "var", "level": q["level"], "value": q["loss"],
                     "standard_error": None, "ci95_lower": q["ci95"][0], "ci95_upper": q["ci95"][1]})
    for es in total["expected_shortfall"]:
        rows.append({"id": entity_id, "measure": measure, "statistic": "expected_shortfall", "level": es["level"], "value": es["loss"],
                     "standard_error": es["standard_error"], "ci95_lower": None, "ci95_upper": None})
    return rows


_LONG_COLUMNS = ["id", "measure", "statistic", "level", "value", "standard_error", "ci95_lower", "ci95_upper"]


class Result:
    """One run: `report` is the JSON report as a dict; the properties are its tables as DataFrames."""

    def __init__(self, report: Mapping[str, Any], distribution: Optional[pd.DataFrame] = None):
        self.report = dict(report)
        self._distribution = distribution

    def __repr__(self) -> str:
        total = self.report["total"]
        return (f"<slashsim.Result {self.report['scenario']!r}: {self.report['trials']:,} trials, "
                f"expected loss {total['mean']:,.2f} ETH, P(loss) {total['probability_of_loss']:.4%}>")

    @property
    def quantiles(self) -> pd.DataFrame:
        """VaR of the total principal loss (ETH) per level, with its distribution-free 95 % interval."""
        return _total_frames(self.report["total"])[0]

    @property
    def expected_shortfall(self) -> pd.DataFrame:
        """Expected shortfall of the total principal loss (ETH) per level, with its standard error."""
        return _total_frames(self.report["total"])[1]

    @property
    def operators(self) -> pd.DataFrame:
        """One row per operator (its contributions are in `contributions`)."""
        rows = [{k: v for k, v in op.items() if k != "expected_shortfall_contributions"} for op in self.report["operators"]]
        return pd.DataFrame(rows)

    @property
    def services(self) -> pd.DataFrame:
        """One row per service (AVS)."""
        rows = [{k: v for k, v in s.items() if k != "expected_shortfall_contributions"} for s in self.report["services"]]
        return pd.DataFrame(rows)

    @property
    def tokens(self) -> pd.DataFrame:
        """Per token, its loss in ETH (measure `loss`) and as a share of NAV (`nav_loss_fraction`), long format."""
        rows = []
        for token in self.report["tokens"]:
            rows += _long_statistics(token["id"], "loss", token["loss"])
            rows += _long_statistics(token["id"], "nav_loss_fraction", token["nav_loss_fraction"])
        return pd.DataFrame(rows, columns=_LONG_COLUMNS)

    @property
    def portfolios(self) -> pd.DataFrame:
        """Per portfolio, its probability of liquidation and principal loss in ETH (`loss`) and as a share of equity
        (`equity_loss_fraction`), long format."""
        rows = []
        for p in self.report["portfolios"]:
            rows.append({"id": p["id"], "measure": "liquidation", "statistic": "probability_of_liquidation", "level": None,
                         "value": p["probability_of_liquidation"], "standard_error": p["probability_of_liquidation_standard_error"],
                         "ci95_lower": None, "ci95_upper": None})
            rows += _long_statistics(p["id"], "loss", p["loss"])
            rows += _long_statistics(p["id"], "equity_loss_fraction", p["equity_loss_fraction"])
        return pd.DataFrame(rows, columns=_LONG_COLUMNS)

    @property
    def contributions(self) -> pd.DataFrame:
        """Each operator's and service's share of the total's expected shortfall per level (they add up to it)."""
        rows = [{"entity": kind[:-1], "id": e["id"], "level": c["level"], "loss": c["loss"]}
                for kind in ("operators", "services") for e in self.report[kind] for c in e.get("expected_shortfall_contributions", [])]
        return pd.DataFrame(rows, columns=["entity", "id", "level", "loss"])

    @property
    def distribution(self) -> pd.DataFrame:
        """The exceedance curves of `--distribution` (scenario, scope, id, kind, loss, exceedance_probability,
        probability_at_least, standard_error); empty when run with ``distribution=False``."""
        if self._distribution is None:
            return pd.DataFrame(columns=["scenario", "scope", "id", "kind", "loss", "exceedance_probability",
                                         "probability_at_least", "standard_error"])
        return self._distribution


class Comparison:
    """A base scenario and its stresses on common random numbers: `report` is the comparison's JSON, `base` and
    `stresses` (by label: the stress file's name without folder and extension) are `Result`s."""

    def __init__(self, report: Mapping[str, Any], distribution: Optional[pd.DataFrame]):
        self.report = dict(report)
        pick = (lambda label: distribution[distribution["scenario"] == label].reset_index(drop=True)) if distribution is not None else (lambda _: None)
        self.base = Result(report["base"], pick("base"))
        self.stresses = {s["label"]: Result(s["report"], pick(s["label"])) for s in report["stresses"]}
        self.distribution = distribution if distribution is not None else Result({}).distribution

    def __repr__(self) -> str:
        return f"<slashsim.Comparison base + {len(self.stresses)} stresses: {', '.join(self.stresses)}>"

    def table(self, statistic: str = "expected_shortfall", level: Optional[float] = None) -> pd.DataFrame:
        """One row per scenario (base first): the total's mean, P(loss), and `statistic` at `level` (default: the
        highest level), with its difference from the base."""
        rows = []
        for label, result in [("base", self.base)] + list(self.stresses.items()):
            total = result.report["total"]
            series = total["expected_shortfall" if statistic == "expected_shortfall" else "quantiles"]
            chosen = series[-1] if level is None else next(x for x in series if abs(x["level"] - level) < 1e-12)
            rows.append({"scenario": label, "mean": total["mean"], "probability_of_loss": total["probability_of_loss"],
                         "level": chosen["level"], statistic: chosen["loss"]})
        frame = pd.DataFrame(rows)
        frame[f"{statistic}_change"] = frame[statistic] - frame[statistic].iloc[0]
        return frame


class SweepResult:
    """A sweep: `report` is its JSON; `points` pairs each point's parameter values with its `Result`; `table` has one
    row per point."""

    def __init__(self, report: Mapping[str, Any]):
        self.report = dict(report)
        self.parameters = list(report["parameters"])
        self.points = [(dict(zip(self.parameters, p["values"])), Result(p["report"])) for p in report["points"]]

    def __repr__(self) -> str:
        return f"<slashsim.SweepResult of {' × '.join(self.parameters)}: {len(self.points)} points>"

    @property
    def table(self) -> pd.DataFrame:
        """One row per point: its parameter values, then the total's mean, P(loss), VaR and ES at each level."""
        rows = []
        for values, result in self.points:
            total = result.report["total"]
            row = dict(values)
            row.update(mean=total["mean"], mean_standard_error=total["mean_standard_error"], probability_of_loss=total["probability_of_loss"])
            for q in total["quantiles"]:
                row[f"var_{q['level']}"] = q["loss"]
            for es in total["expected_shortfall"]:
                row[f"es_{es['level']}"] = es["loss"]
            rows.append(row)
        return pd.DataFrame(rows)


# MARK: commands

def run(scenario: Scenario, *, trials: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
        quantiles: Optional[Iterable[float]] = None, stresses: Optional[Sequence[Union[str, os.PathLike]]] = None,
        importance_sampling: bool = False, contributions: bool = True, arithmetic: Optional[str] = None,
        precision: Optional[float] = None, distribution: bool = True,
        html: Optional[Union[str, os.PathLike]] = None) -> Union[Result, Comparison]:
    """Runs `scenario` (a path, or a dict in the scenario format, piped in as JSON) and returns its `Result`, or a
    `Comparison` when `stresses` are given. Arguments left as None take the scenario's `simulation:` settings.
    `precision` (e.g. 0.01) runs the fewest trials, up to `trials`, whose every VaR interval half-width and ES
    standard error is within it of the estimate (``report["precision_target"]`` says how many and whether met).
    `html` also writes the self-contained report page (``--report``) to that path, to send as it is.
    Raises `ScenarioError` (with every diagnostic) for an invalid scenario and `UsageError` for a bad argument."""
    argument, stdin = _scenario_argument(scenario)
    args = ["run", argument, "--format", "json", "--quiet"] + _settings(trials, seed, threads, quantiles, arithmetic)
    for stress in stresses or []:
        args += ["--stress", os.fspath(stress)]
    if importance_sampling:
        args.append("--importance-sampling")
    if not contributions:
        args.append("--no-contributions")
    if precision is not None:
        args += ["--precision", repr(float(precision))]
    if html is not None:
        args += ["--report", os.path.abspath(os.fspath(html))]
    with tempfile.TemporaryDirectory() as tmp:
        curves = Path(tmp) / "distribution.csv"
        if distribution:
            args += ["--distribution", str(curves)]
        process = _run(args, stdin, scenario)
        frame = pd.read_csv(curves, keep_default_na=False, na_values=[""]) if distribution else None
    report = json.loads(process.stdout)
    if "stresses" in report:
        return Comparison(report, frame)
    return Result(report, frame)


def sweep(scenario: Scenario, settings: Mapping[str, Union[Sequence[float], str]], *, zip: bool = False,
          trials: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
          quantiles: Optional[Iterable[float]] = None) -> SweepResult:
    """Runs `scenario` at every point of a grid: `settings` maps paths (``"correlation.constant"``,
    ``"operators[*].fault_probability"``) to their values (a list, or ``"START:STOP:STEP"``). Several paths are
    crossed (every combination), or paired with ``zip=True``. A dict scenario is written to a temporary file, so
    it cannot name tables by relative paths (give absolute ones, or a scenario file beside its tables)."""
    args = ["sweep"]
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(scenario, Mapping):
            path = Path(tmp) / "scenario.json"
            path.write_text(json.dumps(scenario))
            args.append(str(path))
        else:
            args.append(os.fspath(scenario))
        for key, values in settings.items():
            grid = values if isinstance(values, str) else ",".join(repr(float(v)) for v in values)
            args += ["--set", f"{key}={grid}"]
        if zip:
            args.append("--zip")
        args += ["--format", "json"] + _settings(trials, seed, threads, quantiles, None)
        process = _run(args, None, scenario)
    return SweepResult(json.loads(process.stdout))


def validate(*scenarios: Scenario, stresses: Sequence[Union[str, os.PathLike]] = ()) -> dict:
    """Checks scenario files (or one dict) and stress files; returns ``slashsim validate --format json``'s object
    (``{"valid": …, "files": [...]}``) without raising for invalid files."""
    args, stdin = ["validate"], None
    for scenario in scenarios:
        argument, data = _scenario_argument(scenario)
        args.append(argument)
        stdin = data if data is not None else stdin
    for stress in stresses:
        args += ["--stress", os.fspath(stress)]
    process = subprocess.run([binary()] + args + ["--format", "json"], input=stdin, capture_output=True)
    if process.returncode == 64:
        stderr = process.stderr.decode(errors="replace")
        raise UsageError(stderr.strip().removeprefix("error: "), 64, stderr)
    return json.loads(process.stdout)
