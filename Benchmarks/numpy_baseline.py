#!/usr/bin/env python3
"""The plain NumPy simulation an analyst would write for slashsim's model: the baseline of Benchmarks/.

Reads the same scenario file (YAML or JSON, format 1), builds the same model (fault thresholds
Phi^-1(p), loss if slashed = stake * min(1, sum magnitude * slash_fraction), Cholesky factor of the
correlation), then per batch: standard normals, multiply by the Cholesky factor, compare with the
thresholds, dot with the losses; np.percentile at the end. Prints one JSON object with its throughput
and a few statistics (to check that it simulates the same model).

    python3 Benchmarks/numpy_baseline.py Scenarios/default.yaml --trials 1000000
"""
import argparse
import json
import time

import numpy as np
from scipy.stats import norm


def load(path):
    """The scenario as a dict, with `operators_file`, `allocations_file`, `correlation.matrix_file` and
    `correlation.loadings_file` (CSV or .npy beside the scenario) read into the inline forms."""
    import csv
    import os
    with open(path) as f:
        if path.endswith(".json"):
            scenario = json.load(f)
        else:
            import yaml
            scenario = yaml.safe_load(f)
    here = os.path.dirname(path)

    def rows(name):
        with open(os.path.join(here, name), newline="") as f:
            return list(csv.DictReader(f))

    if "operators_file" in scenario:
        scenario["operators"] = [{"id": r["id"], "stake": float(r["stake"]), "fault_probability": float(r["fault_probability"])}
                                 for r in rows(scenario.pop("operators_file"))]
    if "allocations_file" in scenario:
        scenario["allocations"] = [{"operator": r["operator"], "service": r["service"], "magnitude": float(r["magnitude"])}
                                   for r in rows(scenario.pop("allocations_file"))]
    corr = scenario.get("correlation") or {}
    if "matrix_file" in corr:
        name = os.path.join(here, corr.pop("matrix_file"))
        corr["matrix"] = np.load(name) if name.endswith(".npy") else np.loadtxt(name, delimiter=",", skiprows=1)
    if "loadings_file" in corr:
        name = os.path.join(here, corr.pop("loadings_file"))
        ids = [op["id"] for op in scenario["operators"]]
        if name.endswith(".npy"):
            a = np.load(name).reshape(len(ids), -1)
            corr["factors"] = [{"id": f"factor-{j + 1}", "loadings": dict(zip(ids, a[:, j]))} for j in range(a.shape[1])]
        else:
            table = rows(name)
            factors = [c for c in table[0].keys() if c != "operator"]
            corr["factors"] = [{"id": c, "loadings": {r["operator"]: float(r[c]) for r in table}} for c in factors]
    return scenario


def model(scenario):
    ops = scenario["operators"]
    index = {op["id"]: i for i, op in enumerate(ops)}
    n = len(ops)
    slash = {s["id"]: s["slash_fraction"] for s in scenario.get("services", [])}
    share = np.zeros(n)
    for a in scenario.get("allocations", []):
        share[index[a["operator"]]] += a["magnitude"] * slash[a["service"]]
    stake = np.array([op["stake"] for op in ops], dtype=float)
    loss = stake * np.minimum(1.0, share)
    thresholds = norm.ppf([op["fault_probability"] for op in ops])
    corr = scenario.get("correlation")
    if corr is None:
        chol = np.eye(n)
    elif "factors" in corr:  # the dense matrix the factors imply: A Aᵀ with a unit diagonal
        a = np.zeros((n, len(corr["factors"])))
        for j, factor in enumerate(corr["factors"]):
            for op, value in factor["loadings"].items():
                a[index[op], j] = value
        r = a @ a.T
        np.fill_diagonal(r, 1.0)
        chol = np.linalg.cholesky(r)
    elif "constant" in corr:
        rho = corr["constant"]
        chol = np.linalg.cholesky(np.full((n, n), rho) + (1 - rho) * np.eye(n))
    else:
        chol = np.linalg.cholesky(np.array(corr["matrix"], dtype=float))
    return thresholds, loss, chol


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    thresholds, loss, chol = model(load(args.scenario))
    n = len(loss)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    totals = np.empty(args.trials)
    done = 0
    while done < args.trials:
        b = min(args.batch, args.trials - done)
        e = rng.standard_normal((b, n))
        z = e @ chol.T
        totals[done:done + b] = (z < thresholds) @ loss
        done += b
    q = np.percentile(totals, [99, 99.9], method="inverted_cdf")
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "tool": "numpy", "operators": n, "trials": args.trials, "elapsed_seconds": elapsed,
        "trials_per_second": args.trials / elapsed, "operator_trials_per_second": args.trials * n / elapsed,
        "mean": float(totals.mean()), "var_99": float(q[0]), "var_999": float(q[1]),
    }))


if __name__ == "__main__":
    main()
