#!/usr/bin/env python3
"""Runs slashsim and the plain NumPy baseline on the same scenarios in one run, with the machine's
ceilings, and prints a Markdown table of throughputs and ratios: simulation only (each program's own
timer, slashsim with --no-contributions) and whole process (wall clock of `slashsim run FILE --trials T`
with default flags, contributions included, against `python3 numpy_baseline.py FILE --trials T`). Names
the CPU and the kernel level, and appends every row to Benchmarks/history.csv.

For each N it writes a scenario with a full correlation matrix (make_scenario.py), runs
`slashsim run` (release build, 1 and 2 threads) and numpy_baseline.py on it, and measures the
single-thread ceilings with `slashsim measure-ceilings`: normals per second and the GFLOP/s of the
triangular multiply (dtrmm) that the dense path runs. "of BLAS ceiling" is slashsim's trials/s over
threads x dtrmm flop/s / N^2, the rate if the multiply were the only work. A last row runs a K = 8 factor
model through slashsim's factor path against NumPy's dense simulation of the matrix those factors imply.

    swift build -c release --product slashsim
    python3 Benchmarks/compare.py --operators 100 1000 2000
    python3 Benchmarks/compare.py --kernel-level avx2     # what an AVX2-only machine would see
    python3 Benchmarks/compare.py --operators 2000 --single   # with a `--arithmetic single` row

Each N also gets a row for the same scenario with its tables beside it (operators.csv, allocations.csv,
matrix.npy), whole process only, NumPy reading the same files.
"""
import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SLASHSIM = os.path.join(ROOT, ".build", "release", "slashsim")
HISTORY = os.path.join(HERE, "history.csv")
HISTORY_COLUMNS = ["date", "commit", "cpu", "kernel_level", "blas", "case", "threads", "trials", "slashsim_trials_per_second",
                   "numpy_trials_per_second", "simulation_ratio", "slashsim_whole_seconds", "numpy_whole_seconds", "whole_process_ratio"]


def cpu_name():
    """The CPU model with its family and model numbers (DESIGN.md §8: AVX-512 or not differs within a family)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    key, value = (s.strip() for s in line.split(":", 1))
                    fields.setdefault(key, value)
    except OSError:
        return "unknown CPU"
    return f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')})"


def wall(command, repeats, env=None):
    """The fastest wall-clock seconds of `repeats` runs of a whole process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def run_json(command, env=None):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def best(command, repeats, env=None):
    """The NumPy baseline's fastest of `repeats` runs."""
    return max((run_json(command, env) for _ in range(repeats)), key=lambda r: r["trials_per_second"])


def best_rate(command, repeats, env=None):
    """slashsim's fastest trials/s of `repeats` runs (from the report's elapsed_seconds)."""
    return max(r["trials"] / r["elapsed_seconds"] for r in (run_json(command, env) for _ in range(repeats)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--seconds", type=float, default=3, help="target length of each timed run")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each program per row; the table keeps each one's fastest (NumPy's 2-thread BLAS varies by 30 %% run to run)")
    parser.add_argument("--factor-operators", type=int, default=1000,
                        help="N of the factor-correlation row (K = 8 factors; NumPy runs the dense matrix they imply)")
    parser.add_argument("--kernel-level", choices=["generic", "avx2", "avx512"],
                        help="force slashsim's kernels (SLASHSIM_KERNEL_LEVEL); default: the best this CPU has")
    parser.add_argument("--no-history", action="store_true", help="do not append the rows to Benchmarks/history.csv")
    parser.add_argument("--single", action="store_true", help="add a `--arithmetic single` row per N")
    args = parser.parse_args()
    if not os.access(SLASHSIM, os.X_OK):
        sys.exit(f"{SLASHSIM} not found: run `swift build -c release --product slashsim` first")
    slashsim_env = dict(os.environ)
    if args.kernel_level:
        slashsim_env["SLASHSIM_KERNEL_LEVEL"] = args.kernel_level
    ceilings = run_json([SLASHSIM, "measure-ceilings", "--seconds", "1"] + sum([["--operators", str(n)] for n in args.operators], []),
                        slashsim_env)
    # The NumPy baseline gets its best BLAS settings: without this machine's OpenBLAS core-type overrides.
    numpy_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.operators:
            path = os.path.join(tmp, f"n{n}.json")
            subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--output", path], check=True)
            # Size the runs to about `seconds` from a rough per-trial cost.
            trials = min(5_000_000, max(50_000, int(args.seconds * 1.5e10 / (n * n))))
            numpy_command = [sys.executable, os.path.join(HERE, "numpy_baseline.py"), path, "--trials", str(trials)]
            base = best(numpy_command, args.repeats, env=numpy_env)
            whole = (wall([SLASHSIM, "run", path, "--trials", str(trials), "--quiet"], args.repeats, slashsim_env),
                     wall(numpy_command, args.repeats, numpy_env))
            flops = ceilings["trmm_flops_per_second"][str(n)]
            for threads in (1, 2):
                rate = best_rate([SLASHSIM, "run", path, "--trials", str(trials), "--threads", str(threads), "--format", "json", "--quiet", "--no-contributions"],
                                 args.repeats, slashsim_env)
                ceiling = threads * flops / (n * n)
                rows.append((f"{n}", threads, trials, rate, rate * n, base["trials_per_second"], rate / base["trials_per_second"], f"{rate / ceiling:.0%}",
                             whole if threads == 2 else None))
            # The same scenario with its tables beside it (operators and allocations in CSV, the matrix in .npy):
            # whole process only, both programs reading the same files.
            tables = os.path.join(tmp, f"npy{n}", "s.json")
            subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--tables", "npy", "--output", tables],
                           check=True)
            numpy_tables = [sys.executable, os.path.join(HERE, "numpy_baseline.py"), tables, "--trials", str(trials)]
            whole = (wall([SLASHSIM, "run", tables, "--trials", str(trials), "--quiet"], args.repeats, slashsim_env),
                     wall(numpy_tables, args.repeats, numpy_env))
            rows.append((f"{n}, matrix in .npy", 2, trials, None, None, None, None, "—", whole))
            # `--arithmetic single`: simulation and whole process, the ratio to NumPy and (in the label) to double.
            if args.single:
                single = best_rate([SLASHSIM, "run", path, "--trials", str(trials), "--format", "json", "--quiet", "--no-contributions",
                                    "--arithmetic", "single"], args.repeats, slashsim_env)
                double = rows[-2][3]
                whole = (wall([SLASHSIM, "run", path, "--trials", str(trials), "--quiet", "--arithmetic", "single"], args.repeats, slashsim_env),
                         wall(numpy_command, args.repeats, numpy_env))
                rows.append((f"{n}, --arithmetic single ({single / double:.2f}× double)", 2, trials, single, single * n, base["trials_per_second"],
                             single / base["trials_per_second"], "—", whole))
        n = args.factor_operators
        path = os.path.join(tmp, f"f{n}.json")
        subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"), "--operators", str(n), "--form", "factors", "--output", path], check=True)
        base = best([sys.executable, os.path.join(HERE, "numpy_baseline.py"), path, "--trials", "50000"], args.repeats, env=numpy_env)
        # Whole process on the same trials for both (NumPy simulates the dense matrix the factors imply).
        factor_trials = 300_000
        whole = (wall([SLASHSIM, "run", path, "--trials", str(factor_trials), "--quiet"], args.repeats, slashsim_env),
                 wall([sys.executable, os.path.join(HERE, "numpy_baseline.py"), path, "--trials", str(factor_trials)], args.repeats, numpy_env))
        for threads in (1, 2):
            rate = best_rate([SLASHSIM, "run", path, "--trials", "2000000", "--threads", str(threads), "--format", "json", "--quiet", "--no-contributions"],
                             args.repeats, slashsim_env)
            rows.append((f"{n}, K = 8 factors", threads, factor_trials, rate, rate * n, base["trials_per_second"], rate / base["trials_per_second"], "—",
                         whole if threads == 2 else None))
    cpu = cpu_name()
    level = ceilings.get("kernel_level", "?")
    print(f"CPU: {cpu}; kernels: {level}" + (" (forced)" if args.kernel_level else ""))
    print(f"BLAS: {ceilings['blas']}")
    print(f"normals/s (1 thread): {ceilings['normals_per_second'] / 1e6:.0f} M; dtrmm GFLOP/s (1 thread): "
          + ", ".join(f"N={n}: {ceilings['trmm_flops_per_second'][str(n)] / 1e9:.1f}" for n in args.operators))
    print()
    print("| N | threads | slashsim trials/s | operator-trials/s | NumPy trials/s | × NumPy (simulation) | of BLAS ceiling | whole process: slashsim / NumPy | × NumPy (whole) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, t, trials, rate, op_rate, base, ratio, share, whole in rows:
        whole_text = f"{whole[0]:.2f} s / {whole[1]:.2f} s ({trials:,} trials) | {whole[1] / whole[0]:.2f}" if whole else "— | —"
        simulation = f"{rate:,.0f} | {op_rate / 1e6:,.0f} M | {base:,.0f} | {ratio:.2f}" if rate else "— | — | — | —"
        print(f"| {n} | {t} | {simulation} | {share} | {whole_text} |")
    if not args.no_history:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        new = not os.path.exists(HISTORY)
        with open(HISTORY, "a", newline="") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(HISTORY_COLUMNS)
            date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
            for n, t, trials, rate, op_rate, base, ratio, share, whole in rows:
                writer.writerow([date, commit, cpu, level, ceilings["blas"].split(" (")[0], n, t, trials, f"{rate:.0f}" if rate else "",
                                 f"{base:.0f}" if base else "", f"{ratio:.3f}" if ratio else "",
                                 f"{whole[0]:.3f}" if whole else "", f"{whole[1]:.3f}" if whole else "",
                                 f"{whole[1] / whole[0]:.3f}" if whole else ""])
        print(f"\nappended {len(rows)} rows to {os.path.relpath(HISTORY, ROOT)}")


if __name__ == "__main__":
    main()
