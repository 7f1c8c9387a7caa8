#!/usr/bin/env python3
"""Writes a synthetic benchmark scenario with N operators and a full (non-constant) correlation matrix.

The matrix comes from K random factor loadings plus a random sparse perturbation, rescaled to a unit
diagonal: every entry differs, and it is positive definite by construction (checked here by Cholesky).

    python3 Benchmarks/make_scenario.py --operators 1000 --output /tmp/n1000.json
    python3 Benchmarks/make_scenario.py --operators 1000 --tables npy --output /tmp/npy/n1000.yaml

With --tables, the operators and allocations go to CSV files beside the scenario (operators.csv,
allocations.csv) and the correlation matrix (or the factor loadings) to matrix.npy / matrix.csv
(loadings.npy / loadings.csv), named by operators_file, allocations_file and correlation.matrix_file
(correlation.loadings_file).
"""
import argparse
import csv
import json
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, required=True)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--factors", type=int, default=8)
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True, help=".json or .yaml")
    parser.add_argument("--form", choices=["matrix", "factors"], default="matrix",
                        help="write the correlation as the full matrix, or as the K named factors it comes from")
    parser.add_argument("--tables", choices=["npy", "csv"],
                        help="write operators, allocations and the matrix (or loadings) to files beside the scenario")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n, k = args.operators, args.factors

    loadings = rng.uniform(0.0, 0.45, size=(n, k)) * (rng.random((n, k)) < 0.5)
    cov = loadings @ loadings.T
    cov += np.diag(np.maximum(0.3, 1.0 - np.diag(cov)))
    d = np.sqrt(np.diag(cov))
    corr = cov / np.outer(d, d)
    np.fill_diagonal(corr, 1.0)
    corr = np.round(corr, 6)
    np.linalg.cholesky(corr)  # raises if not positive definite
    scaled = np.round(loadings / d[:, None], 6)  # the same correlation as factor loadings (up to rounding)

    stake = np.round(1e6 / np.arange(1, n + 1) ** 1.1 / np.sum(1 / np.arange(1, n + 1) ** 1.1), 2) + 32
    scenario = {
        "name": f"Benchmark: {n} operators, full correlation matrix",
        "simulation": {"trials": args.trials, "seed": args.seed, "quantiles": [0.9, 0.99, 0.999]},
        "operators": [{"id": f"op-{i:05d}", "stake": float(stake[i]), "fault_probability": float(np.round(rng.uniform(0.005, 0.03), 4))}
                      for i in range(n)],
        "services": [{"id": f"avs-{s:03d}", "slash_fraction": float(np.round(rng.choice([0.01, 0.05, 0.1, 0.5]), 2))}
                     for s in range(args.services)],
        "allocations": [],
        "correlation": {"matrix": corr.tolist()} if args.form == "matrix" else {"factors": [
            {"id": f"factor-{j + 1}", "loadings": {f"op-{i:05d}": float(scaled[i, j]) for i in range(n) if scaled[i, j] != 0}}
            for j in range(k)]},
    }
    for i in range(n):
        chosen = rng.choice(args.services, size=min(args.services, rng.integers(3, 9)), replace=False)
        magnitudes = np.floor(rng.dirichlet(np.ones(len(chosen))) * rng.uniform(0.4, 1.0) * 100) / 100
        for s, m in zip(chosen, magnitudes):
            if m > 0:
                scenario["allocations"].append({"operator": f"op-{i:05d}", "service": f"avs-{s:03d}", "magnitude": float(m)})
    if args.tables:
        here = os.path.dirname(args.output) or "."
        os.makedirs(here, exist_ok=True)
        ids = [op["id"] for op in scenario["operators"]]
        with open(os.path.join(here, "operators.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "stake", "fault_probability"])
            w.writerows([op["id"], repr(op["stake"]), repr(op["fault_probability"])] for op in scenario.pop("operators"))
        with open(os.path.join(here, "allocations.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["operator", "service", "magnitude"])
            w.writerows([a["operator"], a["service"], repr(a["magnitude"])] for a in scenario.pop("allocations"))
        scenario["operators_file"], scenario["allocations_file"] = "operators.csv", "allocations.csv"
        kind = "matrix" if args.form == "matrix" else "loadings"
        table = corr if args.form == "matrix" else scaled
        name = f"{kind}.{args.tables}"
        if args.tables == "npy":
            np.save(os.path.join(here, name), np.ascontiguousarray(table, dtype=np.float64))
        else:
            with open(os.path.join(here, name), "w", newline="") as f:
                w = csv.writer(f)
                if kind == "matrix":
                    w.writerow(ids)
                    w.writerows([repr(float(x)) for x in row] for row in table)
                else:
                    w.writerow(["operator"] + [f"factor-{j + 1}" for j in range(k)])
                    w.writerows([ids[i]] + [repr(float(x)) for x in table[i]] for i in range(n))
        scenario["correlation"] = {f"{kind}_file": name}
    with open(args.output, "w") as f:
        if args.output.endswith(".json"):
            json.dump(scenario, f)
        else:
            import yaml
            yaml.safe_dump(scenario, f, default_flow_style=None, sort_keys=False)


if __name__ == "__main__":
    main()
