#!/usr/bin/env python3
"""Measures what --importance-sampling buys: the trials plain sampling needs to match its tail precision.

For each scenario it runs `slashsim run` plainly with N trials and with --importance-sampling with N/10
trials, over several seeds, and compares at the highest quantile level (99.99 % unless --level):
- the width of the 95 % interval of VaR, and the standard error of ES;
- the trial ratio: the trials plain sampling needs to reach the importance-sampled precision (precision
  grows with √trials, so N_plain·(precision_plain/precision_IS)²), over the trials importance sampling used.
  10 means "the same precision with 10× fewer trials";
- the same in time (seconds of simulation, the pilot included).
Widths and standard errors are averaged over the seeds before the ratio is taken.

    swift build -c release --product slashsim
    python3 Benchmarks/importance_sampling.py
    python3 Benchmarks/importance_sampling.py --scenario Scenarios/single-lrt.yaml --trials 2000000
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SLASHSIM = os.path.join(ROOT, ".build", "release", "slashsim")


def run(scenario, trials, seed, level, importance):
    command = [SLASHSIM, "run", scenario, "--trials", str(trials), "--seed", str(seed), "--quantiles", str(level),
               "--format", "json", "--quiet", "--no-contributions"]
    if importance:
        command.append("--importance-sampling")
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    q = report["total"]["quantiles"][0]
    lower, upper = q["ci95"]
    if upper is None:
        sys.exit(f"{scenario}: {trials} trials cannot bound VaR {level} from above; raise --trials")
    es = report["total"]["expected_shortfall"][0]
    pilot = report.get("importance_sampling", {}).get("pilot_seconds", 0)
    return {"var": q["loss"], "width": upper - lower, "es": es["loss"], "es_se": es["standard_error"],
            "seconds": report["elapsed_seconds"] + pilot}


def mean(values):
    return sum(values) / len(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", nargs="+", default=[os.path.join(ROOT, "Scenarios", "default-factors.yaml"), "synthetic-1000"],
                        help="scenario files; `synthetic-N` writes Benchmarks/make_scenario.py's N-operator, K = 8 factor scenario")
    parser.add_argument("--trials", type=int, default=1_000_000, help="plain trials; importance sampling runs a tenth of them")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--level", type=float, default=0.9999)
    args = parser.parse_args()
    if not os.access(SLASHSIM, os.X_OK):
        sys.exit(f"{SLASHSIM} not found: run `swift build -c release --product slashsim` first")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenario:
            label = os.path.relpath(scenario, ROOT) if os.path.exists(scenario) else scenario
            if scenario.startswith("synthetic-"):
                n = int(scenario.split("-")[1])
                scenario = os.path.join(tmp, f"f{n}.json")
                subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--form", "factors",
                                "--output", scenario], check=True)
                label = f"synthetic N = {n}, K = 8 factors"
            plain = [run(scenario, args.trials, s, args.level, False) for s in args.seeds]
            weighted = [run(scenario, args.trials // 10, s, args.level, True) for s in args.seeds]
            p = {k: mean([r[k] for r in plain]) for k in plain[0]}
            w = {k: mean([r[k] for r in weighted]) for k in weighted[0]}
            n_plain, n_is = args.trials, args.trials // 10
            var_ratio = n_plain * (p["width"] / w["width"]) ** 2 / n_is
            es_ratio = n_plain * (p["es_se"] / w["es_se"]) ** 2 / n_is
            var_time = p["seconds"] * (p["width"] / w["width"]) ** 2 / w["seconds"]
            es_time = p["seconds"] * (p["es_se"] / w["es_se"]) ** 2 / w["seconds"]
            rows.append((label, n_plain, n_is, p, w, var_ratio, es_ratio, var_time, es_time))
    level = f"{args.level * 100:g} %"
    print(f"Mean over seeds {', '.join(map(str, args.seeds))}; VaR and ES at {level}; plain N trials vs --importance-sampling N/10.\n")
    print(f"| scenario | plain trials | IS trials | VaR plain | VaR IS | CI width plain | CI width IS | ES s.e. plain | ES s.e. IS "
          f"| trial ratio (VaR CI) | trial ratio (ES s.e.) | time ratio (VaR CI) | time ratio (ES s.e.) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, n_plain, n_is, p, w, var_ratio, es_ratio, var_time, es_time in rows:
        print(f"| {label} | {n_plain:,} | {n_is:,} | {p['var']:,.0f} | {w['var']:,.0f} | {p['width']:,.0f} | {w['width']:,.0f} "
              f"| {p['es_se']:,.1f} | {w['es_se']:,.1f} | {var_ratio:.1f}× | {es_ratio:.1f}× | {var_time:.1f}× | {es_time:.1f}× |")


if __name__ == "__main__":
    main()
