#!/usr/bin/env python3
"""Writes Scenarios/unique-stake.yaml and its stresses (standard-library Python, no randomness).

    python3 Scenarios/tools/unique_stake.py           # write the files
    python3 Scenarios/tools/unique_stake.py --before  # print the same world without fault modes (for comparison)

The scenario is the base case of the second model round: operators fault by modes (key compromise,
equivocation, liveness) under EigenLayer's unique stake, one AVS has a veto, and the token and its restaking
protocol can be exploited. Sources and judgement calls are in Scenarios/README.md.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Services: (id, slash fraction, duty tag, incident probability, incident fraction, veto probability).
SERVICES = [
    ("price-oracle", 0.05, "safety", None, None, None),
    ("data-availability", 0.02, "liveness", None, None, None),
    ("keeper-network", 0.01, "liveness", None, None, None),
    ("zk-coprocessor", 0.10, "safety", None, None, None),
    ("shared-sequencer", 0.10, "safety", None, None, None),
    ("bridge", 0.50, "safety", 0.005, 0.30, 0.5),
]

# Fault modes for every operator (judgement; see the README).
MODES = [
    ("key-compromise", 0.001, None, 1.0),            # everything the key controls: every allocation, all of it
    ("equivocation", 0.005, "safety", None),         # safety services, each at its own fraction
    ("liveness", 0.01, "liveness", 0.005),           # liveness services, 0.5 % of the allocation
]

CLOUDS = ["aws", "aws", "gcp", "aws", "self-hosted", "hetzner", "aws", "gcp", "self-hosted", "aws", "ovh", "gcp"]
CLIENTS = ["lighthouse", "prysm", "prysm", "teku", "lighthouse", "prysm", "nimbus", "lighthouse", "prysm", "teku", "lighthouse", "prysm"]


def stakes():
    """12 operators, stake ∝ 1/rank^1.1 scaled to 320,000 ETH, rounded to 100 ETH."""
    weights = [1 / (r ** 1.1) for r in range(1, 13)]
    total = sum(weights)
    return [round(320_000 * w / total / 100) * 100 for w in weights]


def allocations(i):
    """Operator i serves 4 or 5 services (a fixed rotation), magnitudes 0.25/0.20/0.20/0.15(/0.10)."""
    count = 5 if i % 2 == 0 else 4
    magnitudes = [0.25, 0.20, 0.20, 0.15, 0.10][:count]
    chosen = [SERVICES[(i + k) % len(SERVICES)][0] for k in range(count)]
    return list(zip(chosen, magnitudes))


def num(x):
    return f"{x:g}"


def scenario(with_modes=True):
    ops = stakes()
    out = []
    out.append("# Unique stake, base case: one liquid restaking token (lrt-u), 12 operators, 6 AVSs, one year.\n#\n")
    out.append("# What it asks: what lrt-u, an unlevered holder and an Aave-style looper can lose in a year when operators fault\n")
    out.append("# the ways the protocols slash them — a rare key compromise slashes every allocation, equivocation slashes the\n")
    out.append("# safety AVSs at their own fractions, liveness faults cost 0.5 % of the liveness AVSs' allocations — with a\n")
    out.append("# bridge whose slashes a resolver may veto, and the token's and EigenLayer's contracts exploitable.\n#\n")
    out.append("# Sources and judgement: Scenarios/README.md (\"unique-stake.yaml\"). Written by Scenarios/tools/unique_stake.py.\n#\n")
    out.append("# Exact what-if numbers (no simulation):\n")
    allocated = sum(m for _, m in allocations(0))
    key = 0.95 * ops[0] * allocated
    out.append("# - A key compromise of op-01 alone slashes all of its allocations (%.0f %% of its stake): lrt-u loses %s ETH\n"
               "#   (%.2f %% of NAV).\n" % (100 * allocated, f"{key:,.0f}", 100 * key / backing(ops)))
    out.append("# - A liveness fault of op-01 alone slashes 0.5 %% of its liveness allocations: lrt-u loses %.1f ETH.\n" % liveness_loss(ops, 0))
    out.append("# - P(some mode) per operator: 1 - 0.999 * 0.995 * 0.99 = %.4f.\n" % (1 - 0.999 * 0.995 * 0.99))
    out.append("format: 1\n")
    out.append('name: "Unique stake, base case: one LRT, 12 operators, 6 AVSs, fault modes, a veto, exploits"\n')
    out.append("simulation: {trials: 1000000, seed: 2035, quantiles: [0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999]}\n")
    if with_modes:
        out.append("fault_modes:                # every operator (judgement; README)\n")
        for mid, q, duty, fraction in MODES:
            parts = [f"id: {mid}", f"probability: {num(q)}"]
            if duty:
                parts.append(f"service_tags: {{duty: {duty}}}")
            if fraction is not None:
                parts.append(f"slash_fraction: {num(fraction)}")
            out.append("  - {" + ", ".join(parts) + "}\n")
    out.append("operators:\n")
    p_any = 1 - (1 - 0.001) * (1 - 0.005) * (1 - 0.01)
    for i, stake in enumerate(ops):
        fp = "" if with_modes else f", fault_probability: {p_any:.6f}"
        out.append(f"  - {{id: op-{i + 1:02d}, stake: {stake}{fp}, tags: {{cloud: {CLOUDS[i]}, client: {CLIENTS[i]}}}}}\n")
    out.append("services:\n")
    for sid, w, duty, q, v, r in SERVICES:
        parts = [f"id: {sid}", f"slash_fraction: {num(w)}"]
        if q is not None:
            parts += [f"incident_probability: {num(q)}", f"incident_slash_fraction: {num(v)}"]
        if r is not None:
            parts.append(f"veto_probability: {num(r)}")
        parts.append(f"tags: {{duty: {duty}}}")
        out.append("  - {" + ", ".join(parts) + "}\n")
    out.append("allocations:\n")
    for i in range(len(ops)):
        for sid, m in allocations(i):
            out.append(f"  - {{operator: op-{i + 1:02d}, service: {sid}, magnitude: {num(m)}}}\n")
    out.append("correlation:\n  factors:\n")
    aws = [f"op-{i + 1:02d}: 0.35" for i in range(len(ops)) if CLOUDS[i] == "aws"]
    prysm = [f"op-{i + 1:02d}: 0.3" for i in range(len(ops)) if CLIENTS[i] == "prysm"]
    keys = [f"op-{i + 1:02d}: 0.25" for i in range(len(ops))]
    out.append("    - {id: aws, loadings: {" + ", ".join(aws) + "}}\n")
    out.append("    - {id: prysm, loadings: {" + ", ".join(prysm) + "}}\n")
    out.append("    - {id: lrt-keys, loadings: {" + ", ".join(keys) + "}}\n")
    out.append("protocols:\n  - {id: eigenlayer, exploit: {probability: 0.002, nav_loss_fraction: 0.1}}\n")
    out.append("tokens:\n  - id: lrt-u\n")
    out.append(f"    backing: {backing(ops)}\n")
    out.append("    delegations: {" + ", ".join(f"op-{i + 1:02d}: {round(s * 0.95)}" for i, s in enumerate(ops)) + "}\n")
    out.append("    withdrawal_queue_days: 14\n")
    out.append("    depeg: {per_nav_loss: 2.0, floor_discount: 0.005, per_queue_day: 0.0005}\n")
    out.append("    protocol: eigenlayer\n")
    out.append("    exploit: {probability: 0.003, nav_loss_fraction: 0.25, factor_loadings: {lrt-keys: 0.3}}\n")
    out.append("portfolios:\n")
    out.append("  - {id: holder, holdings: {lrt-u: 1000}}\n")
    out.append("  - {id: looper, holdings: {lrt-u: 1000}, leverage: {debt: 900, liquidation_threshold: 0.95, liquidation_penalty: 0.01}}\n")
    return "".join(out)


def backing(ops):
    """NAV: the delegations (95 % of each operator's stake) plus a 3 % buffer, rounded to 100 ETH."""
    return round(sum(round(s * 0.95) for s in ops) / 0.97 / 100) * 100


def liveness_loss(ops, i):
    duty = {sid: d for sid, _, d, _, _, _ in SERVICES}
    return 0.95 * ops[i] * sum(m * 0.005 for sid, m in allocations(i) if duty[sid] == "liveness")


STRESSES = {
    "key-compromise-wave.yaml": "format: 1\nname: key-compromise wave (every mode x 5, LRT key factor x 2)\n"
                                "fault_probability_scale: 5\nloading_scale: {lrt-keys: 2}\n",
    "no-veto.yaml": "format: 1\nname: the bridge's resolver never vetoes\nveto_probabilities: {bridge: 0}\n",
    "protocol-exploit.yaml": "format: 1\nname: EigenLayer exploit at 5 % a year\nexploit_probabilities: {eigenlayer: 0.05}\n",
}


def main():
    if "--before" in sys.argv:
        sys.stdout.write(scenario(with_modes=False))
        return
    (ROOT / "unique-stake.yaml").write_text(scenario())
    folder = ROOT / "unique-stake-stresses"
    folder.mkdir(exist_ok=True)
    for name, text in STRESSES.items():
        (folder / name).write_text(text)


if __name__ == "__main__":
    main()
