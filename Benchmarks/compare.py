#!/usr/bin/env python3
"""Runs slashsim and the plain NumPy baseline on the same scenarios in one run, with the machine's
ceilings, and prints a Markdown table of throughputs and ratios.

For each N it writes a scenario with a full correlation matrix (make_scenario.py), runs
`slashsim run` (release build, 1 and 2 threads) and numpy_baseline.py on it, and measures the
single-thread ceilings with `slashsim measure-ceilings`: normals per second and the GFLOP/s of the
triangular multiply (dtrmm) that the dense path runs. "of BLAS ceiling" is slashsim's trials/s over
threads x dtrmm flop/s / N^2, the rate if the multiply were the only work. A last row runs a K = 8 factor
model through slashsim's factor path against NumPy's dense simulation of the matrix those factors imply.

    swift build -c release --product slashsim
    python3 Benchmarks/compare.py --operators 100 1000 2000
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


def run_json(command, env=None):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def best(command, repeats, env=None):
    """The NumPy baseline's fastest of `repeats` runs."""
    return max((run_json(command, env) for _ in range(repeats)), key=lambda r: r["trials_per_second"])


def best_rate(command, repeats):
    """slashsim's fastest trials/s of `repeats` runs (from the report's elapsed_seconds)."""
    return max(r["trials"] / r["elapsed_seconds"] for r in (run_json(command) for _ in range(repeats)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--seconds", type=float, default=3, help="target length of each timed run")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each program per row; the table keeps each one's fastest (NumPy's 2-thread BLAS varies by 30 %% run to run)")
    parser.add_argument("--factor-operators", type=int, default=1000,
                        help="N of the factor-correlation row (K = 8 factors; NumPy runs the dense matrix they imply)")
    args = parser.parse_args()
    if not os.access(SLASHSIM, os.X_OK):
        sys.exit(f"{SLASHSIM} not found: run `swift build -c release --product slashsim` first")
    ceilings = run_json([SLASHSIM, "measure-ceilings", "--seconds", "1"] + sum([["--operators", str(n)] for n in args.operators], []))
    # The NumPy baseline gets its best BLAS settings: without this machine's OpenBLAS core-type overrides.
    numpy_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.operators:
            path = os.path.join(tmp, f"n{n}.json")
            subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--output", path], check=True)
            # Size the runs to about `seconds` from a rough per-trial cost.
            trials = min(5_000_000, max(50_000, int(args.seconds * 1.5e10 / (n * n))))
            base = best([sys.executable, os.path.join(HERE, "numpy_baseline.py"), path, "--trials", str(trials)], args.repeats, env=numpy_env)
            flops = ceilings["trmm_flops_per_second"][str(n)]
            for threads in (1, 2):
                rate = best_rate([SLASHSIM, "run", path, "--trials", str(trials), "--threads", str(threads), "--format", "json", "--quiet", "--no-contributions"], args.repeats)
                ceiling = threads * flops / (n * n)
                rows.append((f"{n}", threads, rate, rate * n, base["trials_per_second"], rate / base["trials_per_second"], f"{rate / ceiling:.0%}"))
        n = args.factor_operators
        path = os.path.join(tmp, f"f{n}.json")
        subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--form", "factors", "--output", path], check=True)
        base = best([sys.executable, os.path.join(HERE, "numpy_baseline.py"), path, "--trials", "50000"], args.repeats, env=numpy_env)
        for threads in (1, 2):
            rate = best_rate([SLASHSIM, "run", path, "--trials", "2000000", "--threads", str(threads), "--format", "json", "--quiet", "--no-contributions"], args.repeats)
            rows.append((f"{n}, K = 8 factors", threads, rate, rate * n, base["trials_per_second"], rate / base["trials_per_second"], "—"))
    print(f"BLAS: {ceilings['blas']}")
    print(f"normals/s (1 thread): {ceilings['normals_per_second'] / 1e6:.0f} M; dtrmm GFLOP/s (1 thread): "
          + ", ".join(f"N={n}: {ceilings['trmm_flops_per_second'][str(n)] / 1e9:.1f}" for n in args.operators))
    print()
    print("| N | threads | slashsim trials/s | operator-trials/s | NumPy trials/s | × NumPy | of BLAS ceiling |")
    print("|---|---|---|---|---|---|---|")
    for n, t, rate, op_rate, base, ratio, share in rows:
        print(f"| {n} | {t} | {rate:,.0f} | {op_rate / 1e6:,.0f} M | {base:,.0f} | {ratio:.2f} | {share} |")


if __name__ == "__main__":
    main()
