#!/usr/bin/env python3
"""Generates the restaking scenarios bundled in Scenarios/ and validates them with slashsim itself.

Usage, from the package root:

    python3 Scenarios/tools/generate.py          # write the files, check them, print a summary
    python3 Scenarios/tools/generate.py --check  # validate the files on disk only

Writes single-lrt.yaml, three-lrts.yaml, cloud-outage.yaml, avs-slashing-bug.yaml, leveraged-loop.yaml and
stresses/cloud-outage.yaml, stresses/avs-bug.yaml, stresses/high-fault-rates.yaml. Deterministic: every random draw comes from a
`random.Random` with a fixed seed, and only the standard library is needed. The rules are not repeated here:
every written file goes through the slashsim binary's validator (SLASHSIM_BIN, slashsim on PATH, or the
package's release build). The sources of the magnitudes and
the judgement calls are in Scenarios/README.md; each file's header repeats the ones it uses, with the
exact what-if numbers below computed here.
"""

import math
import random
import sys
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent.parent
QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999]

# Judgement, informed by node-hosting and client-share data (README "Sources"): professional operators sit
# mostly on AWS, then self-hosting / bare metal, GCP, Hetzner, OVH; Lighthouse and Prysm lead the clients.
CLOUD_MIX = [("aws", 0.40), ("self-hosted", 0.25), ("gcp", 0.15), ("hetzner", 0.12), ("ovh", 0.08)]
CLIENT_MIX = [("lighthouse", 0.42), ("prysm", 0.25), ("teku", 0.18), ("nimbus", 0.10), ("lodestar", 0.05)]
REGIONS = {
    "aws": [("us-east", 0.5), ("eu-central", 0.3), ("ap-northeast", 0.2)],
    "gcp": [("us-central", 0.5), ("eu-west", 0.5)],
    "hetzner": [("eu-central", 1.0)],
    "ovh": [("eu-west", 1.0)],
    "self-hosted": [("eu-central", 0.4), ("us-east", 0.4), ("ap-northeast", 0.2)],
}


# ----------------------------------------------------------------------------------------------------------
# Small helpers


def zipf(n, s):
    w = [1 / k**s for k in range(1, n + 1)]
    t = sum(w)
    return [x / t for x in w]


def top_share(values, k=3):
    v = sorted(values, reverse=True)
    return sum(v[:k]) / sum(v)


def pick(rng, mix):
    r = rng.random() * sum(w for _, w in mix)
    for value, w in mix:
        r -= w
        if r <= 0:
            return value
    return mix[-1][0]


def sample_without_replacement(rng, items, weights, k):
    items, weights, out = list(items), list(weights), []
    for _ in range(k):
        j = items.index(pick(rng, list(zip(items, weights))))
        out.append(items.pop(j))
        weights.pop(j)
    return out


def op_id(i):
    return f"op-{i + 1:02d}"


def round_down(x, step):
    return math.floor(x / step + 1e-9) * step


def round_up(x, step):
    return math.ceil(x / step - 1e-9) * step


def fault_probability(rng, rank, n, low=0.006, span=0.010, noise=0.004):
    """0.6-2 % a year: larger operators a little lower (judgement), plus noise."""
    return round(low + span * rank / max(1, n - 1) + rng.uniform(0, noise), 3)


def draw_tags(rng, cloud=None, region=None, client=None):
    cloud = cloud or pick(rng, CLOUD_MIX)
    return {"cloud": cloud, "client": client or pick(rng, CLIENT_MIX), "region": region or pick(rng, REGIONS[cloud])}


def assign_by_share(rng, ops, mix, kind):
    """Give each operator (largest first) a `kind` tag value so that stake shares track `mix` (judgement)."""
    assigned = {v: 0.0 for v, _ in mix}
    seen = 0.0
    for o in sorted(ops, key=lambda o: -o["stake"]):
        seen += o["stake"]
        deficit = {v: w * seen - assigned[v] for v, w in mix}
        value = max(deficit, key=lambda v: deficit[v] * rng.uniform(0.6, 1.4))
        assigned[value] += o["stake"]
        o["tags"][kind] = value


def infra_tags(rng, ops):
    """Cloud and client by stake share (CLOUD_MIX, CLIENT_MIX), region drawn per cloud."""
    for o in ops:
        o["tags"] = {}
    assign_by_share(rng, ops, CLOUD_MIX, "cloud")
    assign_by_share(rng, ops, CLIENT_MIX, "client")
    for o in ops:
        o["tags"]["region"] = pick(rng, REGIONS[o["tags"]["cloud"]])
    self_hosted_unique(ops)


def pair_correlations(scn):
    """Latent correlation of every operator pair under correlation.derived (no rescaling needed: sums <= 0.95)."""
    d = scn["correlation"]["derived"]
    svcs = {}
    for a in scn["allocations"]:
        svcs.setdefault(a["operator"], set()).add(a["service"])
    ops = scn["operators"]
    out = []
    for i in range(len(ops)):
        for j in range(i + 1, len(ops)):
            a, b = ops[i], ops[j]
            r = d.get("common", 0)
            r += sum(d.get("service_weights", {}).get(s, d.get("shared_services", 0)) for s in svcs[a["id"]] & svcs[b["id"]])
            r += sum(w for k, w in d.get("tags", {}).items() if a["tags"].get(k) is not None and a["tags"].get(k) == b["tags"].get(k))
            out.append(r)
    return out


def self_hosted_unique(ops):
    """Self-hosted operators share no cloud: each gets its own value, so the cloud tag adds nothing between them."""
    for o in ops:
        if o["tags"]["cloud"] == "self-hosted":
            o["tags"]["cloud"] = f"self-hosted-{o['id']}"


def is_cloud(tags, name):
    return tags["cloud"] == name


def draw_allocations(rng, ops, services, kmin=3, kmax=8, mmin=0.05, mmax=0.30):
    """Each operator serves kmin..kmax services (weighted by popularity) with magnitudes mmin..mmax summing to <= 1."""
    ids = [s["id"] for s in services]
    pop = [s["popularity"] for s in services]
    out = []
    for o in ops:
        k = rng.randint(kmin, min(kmax, len(ids)))
        chosen = sorted(sample_without_replacement(rng, ids, pop, k), key=ids.index)
        mags = [round(rng.uniform(mmin, mmax), 2) for _ in chosen]
        while sum(mags) > 1 + 1e-9:
            scale = rng.uniform(0.7, 1.0) / sum(mags)
            mags = [max(mmin, round_down(m * scale, 0.01)) for m in mags]
        out += [{"operator": o["id"], "service": s, "magnitude": round(m, 2)} for s, m in zip(chosen, mags)]
    return out


# ----------------------------------------------------------------------------------------------------------
# Exact what-if numbers (no simulation): used in the headers and useful to check the engine against.


def service_table(scn):
    return {s["id"]: s for s in scn["services"]}


def allocations_of(scn):
    per = {}
    for a in scn["allocations"]:
        per.setdefault(a["operator"], []).append((a["service"], a["magnitude"]))
    return per


def slashed_fraction(scn, op, faulted, incidents=(), mode_fraction=None):
    """f_i = min(1, sum_s m_is * min(1, w_s*D_i + v_s*I_s)), as in the engine's ServiceLayer; with
    `mode_fraction`, a fault mode of that slash fraction on every service fired instead of w_s."""
    st = service_table(scn)
    total = 0.0
    for s, m in allocations_of(scn).get(op, []):
        w = st[s]["slash_fraction"] if mode_fraction is None else mode_fraction
        v = st[s].get("incident_slash_fraction", st[s]["slash_fraction"])
        total += m * min(1.0, (w if faulted else 0.0) + (v if s in incidents else 0.0))
    return min(1.0, total)


def token_loss(scn, token, faulted=(), incidents=(), mode_fraction=None):
    return sum(d * slashed_fraction(scn, op, op in faulted, incidents, mode_fraction) for op, d in token["delegations"].items())


def modes_of(scn, o):
    """An operator's fault modes: its own, the scenario's defaults (no fault_probability), or the one implicit
    mode of a plain fault probability (every service at its own fraction)."""
    if "fault_modes" in o:
        return o["fault_modes"]
    if "fault_probability" in o:
        return [{"id": "fault", "probability": o["fault_probability"]}]
    return scn["fault_modes"]


def mode_slashes(mode, service):
    """Whether a fault mode slashes the service: listed, carrying every one of its service_tags, or any."""
    if "services" in mode and mode["services"] != "all":
        return service["id"] in mode["services"]
    return all(service.get("tags", {}).get(k) == v for k, v in mode.get("service_tags", {}).items())


def mode_fraction_of(scn, op, fired, incidents=()):
    """The share of operator op's stake slashed when the modes `fired` (dicts) fire and `incidents` happen:
    per allocation m * min(1, sum of the fired modes' fractions + the incident's), then min(1, total), as in
    the engine (docs/model.md)."""
    st = service_table(scn)
    total = 0.0
    for s, m in allocations_of(scn).get(op, []):
        part = sum(k.get("slash_fraction", st[s]["slash_fraction"]) for k in fired if mode_slashes(k, st[s]))
        if s in incidents:
            part += st[s].get("incident_slash_fraction", st[s]["slash_fraction"])
        total += m * min(1.0, part)
    return min(1.0, total)


def token_mode_loss(scn, token, fired_by_operator, incidents=()):
    """A token's loss when each operator in `fired_by_operator` has the listed modes fire."""
    return sum(d * mode_fraction_of(scn, op, fired_by_operator.get(op, []), incidents) for op, d in token["delegations"].items())


def expected_losses(scn, token):
    """(E[loss from operator faults alone], E[loss from incidents alone]): each event (and each fault mode)
    alone, ignoring overlaps."""
    ops = {o["id"]: o for o in scn["operators"]}
    faults = sum(k["probability"] * d * mode_fraction_of(scn, op, [k])
                 for op, d in token["delegations"].items() for k in modes_of(scn, ops[op]))
    incidents = sum(s.get("incident_probability", 0) * token_loss(scn, token, incidents={s["id"]}) for s in scn["services"])
    return faults, incidents


def expected_exploit_loss(scn, token):
    """E[loss from exploits alone]: the token's own and its protocol's, each alone, times the NAV."""
    own = token.get("exploit", {})
    proto = next((p.get("exploit", {}) for p in scn.get("protocols", []) if p["id"] == token.get("protocol")), {})
    return token["backing"] * sum(e.get("probability", 0) * e.get("nav_loss_fraction", 0) for e in (own, proto))


def depeg_discount(token, x, depeg=None):
    d = depeg or token.get("depeg")
    if x <= 0 or not d:
        return 0.0
    return min(1.0, d["floor_discount"] + d["per_nav_loss"] * x + d["per_queue_day"] * token.get("withdrawal_queue_days", 0))


def liquidation_threshold(token, holding, lev):
    """Smallest NAV loss share x at which debt > ltv * market value of the collateral (bisection)."""
    def liquidated(x):
        market = holding * (1 - x) * (1 - depeg_discount(token, x))
        return lev["debt"] > lev["liquidation_threshold"] * market
    lo, hi = 0.0, 1.0
    if liquidated(1e-12):
        return 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if liquidated(mid) else (mid, hi)
    return hi


def share_of(scn, token, predicate):
    ops = {o["id"]: o for o in scn["operators"]}
    total = sum(token["delegations"].values())
    return sum(d for op, d in token["delegations"].items() if predicate(ops[op])) / total


def pct(x, digits=1):
    return f"{100 * x:.{digits}f} %"


def eth(x):
    return f"{x:,.0f} ETH"


# ----------------------------------------------------------------------------------------------------------
# The header's loading arithmetic. Validity is not checked here: the slashsim validator is the only place the
# rules live, and `validate()` below runs it on every written file.


def squared_loadings(factors, scale=None):
    """The largest Σ_k a_ik² over operators and over services (with a stress's loading_scale applied)."""
    scale = scale or {}
    op_sq, svc_sq = {}, {}
    for f in factors:
        c = scale.get(f["id"], 1.0)
        for op, a in f["loadings"].items():
            op_sq[op] = op_sq.get(op, 0) + (c * a) ** 2
        for s, a in f.get("service_loadings", {}).items():
            svc_sq[s] = svc_sq.get(s, 0) + (c * a) ** 2
    return max(op_sq.values()), max(svc_sq.values(), default=0)


def derived_weight_sum(scn, o):
    """Operator o's systematic variance under correlation.derived: the weights of its services and tags."""
    d = scn["correlation"]["derived"]
    services = [a["service"] for a in scn["allocations"] if a["operator"] == o["id"] and a["magnitude"] > 0]
    w = d.get("common", 0) + sum(d.get("service_weights", {}).get(s, d.get("shared_services", 0)) for s in services)
    return w + sum(d.get("tags", {}).get(k, 0) for k in o.get("tags", {}))


# ----------------------------------------------------------------------------------------------------------
# YAML writing (flow style per item, like default.yaml)


def num(x):
    if isinstance(x, bool):
        raise TypeError(x)
    if isinstance(x, int):
        return str(x)
    if float(x).is_integer() and abs(x) >= 1000:
        return str(int(x))
    text = f"{x:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def val(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {val(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(val(x) for x in v) + "]"
    if isinstance(v, str):
        return v
    return num(v)


def comment_block(text, width=116):
    """Each line of `text` as a comment; a line longer than `width` is wrapped, continuation lines indented
    like the text of a list item."""
    import textwrap
    lines = []
    for line in text.strip("\n").replace(" %", "\u00a0%").split("\n"):
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        rest = indent + ("  " if body.startswith("- ") else "")
        wrapped = textwrap.wrap(line, width=width - 2, initial_indent="", subsequent_indent=rest,
                                break_long_words=False, break_on_hyphens=False, drop_whitespace=True) or [""]
        if line.startswith(" ") and wrapped[0] and not wrapped[0].startswith(" "):
            wrapped[0] = indent + wrapped[0]
        lines += [("# " + w).rstrip().replace("\u00a0", " ") for w in wrapped]
    return "\n".join(lines) + "\n"


def write_scenario(path, header, scn, service_notes=None, operator_notes=None):
    service_notes = service_notes or {}
    operator_notes = operator_notes or {}
    out = [comment_block(header)]
    out.append("format: 1\n")
    out.append(f'name: "{scn["name"]}"\n')
    out.append(f"simulation: {val(scn['simulation'])}\n")
    if "copula" in scn:
        out.append(f"copula: {val(scn['copula'])}\n")
    if scn.get("fault_modes"):
        out.append("fault_modes:                # every operator (judgement; Scenarios/README.md)\n")
        for k in scn["fault_modes"]:
            out.append(f"  - {val(k)}\n")
    out.append("operators:\n")
    for o in scn["operators"]:
        note = operator_notes.get(o["id"])
        out.append(f"  - {val(o)}" + (f"   # {note}" if note else "") + "\n")
    out.append("services:\n")
    for s in scn["services"]:
        fields = {k: v for k, v in s.items() if k != "popularity"}
        note = service_notes.get(s["id"])
        out.append(f"  - {val(fields)}" + (f"   # {note}" if note else "") + "\n")
    out.append("allocations:\n")
    for a in scn["allocations"]:
        out.append(f"  - {val(a)}\n")
    corr = scn.get("correlation")
    if corr:
        out.append("correlation:\n")
        if "derived" in corr:
            out.append("  derived:\n")
            for k, v in corr["derived"].items():
                out.append(f"    {k}: {val(v)}\n")
        elif "factors" in corr:
            out.append("  factors:\n")
            for f in corr["factors"]:
                out.append(f"    - {val(f)}\n")
        else:
            out.append(f"  {val(corr)[1:-1]}\n")
    if scn.get("protocols"):
        out.append("protocols:\n")
        for p in scn["protocols"]:
            out.append(f"  - {val(p)}\n")
    if scn.get("tokens"):
        out.append("tokens:\n")
        for t in scn["tokens"]:
            out.append(f"  - id: {t['id']}\n")
            out.append(f"    backing: {num(t['backing'])}\n")
            if "protocol" in t:
                out.append(f"    protocol: {t['protocol']}\n")
            if "exploit" in t:
                out.append(f"    exploit: {val(t['exploit'])}\n")
            if "withdrawal_queue_days" in t:
                out.append(f"    withdrawal_queue_days: {num(t['withdrawal_queue_days'])}\n")
            if "depeg" in t:
                out.append(f"    depeg: {val(t['depeg'])}\n")
            out.append("    delegations:\n")
            for op, d in t["delegations"].items():
                out.append(f"      {op}: {num(d)}\n")
    if scn.get("portfolios"):
        out.append("portfolios:\n")
        for p in scn["portfolios"]:
            out.append(f"  - id: {p['id']}\n")
            out.append(f"    holdings: {val(p['holdings'])}\n")
            if "leverage" in p:
                out.append(f"    leverage: {val(p['leverage'])}\n")
    path.write_text("".join(out))


def write_stress(path, header, stress):
    out = [comment_block(header), "format: 1\n", f'name: "{stress["name"]}"\n']
    for k, v in stress.items():
        if k in ("format", "name"):
            continue
        if k == "depeg":
            out.append("depeg:\n")
            for t, d in v.items():
                out.append(f"  {t}: {val(d)}\n")
        else:
            out.append(f"{k}: {val(v)}\n")
    path.write_text("".join(out))


# ----------------------------------------------------------------------------------------------------------
# Services shared by several files. slash_fraction by kind of fault (judgement ranges of DESIGN.md §5:
# liveness 0.1-1 %, wrong result / equivocation 1-10 %, malicious 50-100 %); popularity = share of operators
# serving it (judgement: a data-availability service is served by almost everyone, bridges by few).


def svc(id, slash, popularity, incident=None, incident_fraction=None, duty=None):
    s = {"id": id, "slash_fraction": slash}
    if incident:
        s["incident_probability"] = incident
        if incident_fraction is not None:
            s["incident_slash_fraction"] = incident_fraction
    if duty:
        s["tags"] = {"duty": duty}
    s["popularity"] = popularity
    return s


# ----------------------------------------------------------------------------------------------------------
# 1. single-lrt.yaml


def single_lrt():
    rng = random.Random(20260101)
    n, s_exp, total_stake = 30, 1.1, 1_020_000
    weights = sorted((w * rng.uniform(0.9, 1.1) for w in zipf(n, s_exp)), reverse=True)
    ops = []
    for k, w in enumerate(weights):
        ops.append({"id": op_id(k), "stake": int(round_up(total_stake * w, 100)),
                    "fault_probability": fault_probability(rng, k, n), "tags": {}})
    infra_tags(rng, ops)
    services = [
        svc("data-availability", 0.02, 0.95, incident=0.01, incident_fraction=0.10),
        svc("price-oracle", 0.05, 0.65),
        svc("zk-coprocessor", 0.10, 0.50),
        svc("shared-sequencer", 0.10, 0.40),
        svc("keeper-network", 0.01, 0.50),
        svc("fast-finality", 0.05, 0.45),
        svc("bridge", 0.50, 0.30, incident=0.005),
        svc("interop-messaging", 0.30, 0.30, incident=0.01),
        svc("ai-inference", 0.02, 0.35),
        svc("rollup-watchtower", 0.01, 0.30),
    ]
    allocations = draw_allocations(rng, ops, services)
    delegations = {o["id"]: int(round_down(o["stake"] * rng.uniform(0.85, 1.0), 100)) for o in ops}
    backing = int(round_up(sum(delegations.values()) / 0.975, 1000))   # ~2.5 % undelegated withdrawal buffer
    token = {"id": "lrt-a", "backing": backing, "withdrawal_queue_days": 7,
             "depeg": {"per_nav_loss": 2.0, "floor_discount": 0.01, "per_queue_day": 0.001}, "delegations": delegations}
    scn = {
        "format": 1, "name": "One LRT over 30 operators and 10 AVSs (derived correlation)",
        "simulation": {"trials": 1000000, "seed": 2026, "quantiles": QUANTILES},
        "operators": ops, "services": services, "allocations": allocations,
        "correlation": {"derived": {
            "common": 0.05, "shared_services": 0.03,
            "service_weights": {"bridge": 0.06, "interop-messaging": 0.06, "zk-coprocessor": 0.05,
                                "keeper-network": 0.01, "rollup-watchtower": 0.01},
            "tags": {"cloud": 0.15, "client": 0.08, "region": 0.04},
            "incidents": 0.5}},
        "tokens": [token],
    }
    stakes = [o["stake"] for o in ops]
    e_fault, e_inc = expected_losses(scn, token)
    inc = {s["id"]: token_loss(scn, token, incidents={s["id"]}) for s in services if s.get("incident_probability")}
    top3 = [o["id"] for o in ops[:3]]
    top3_loss = token_loss(scn, token, faulted=set(top3))
    aws = share_of(scn, token, lambda o: is_cloud(o["tags"], "aws"))
    aws_ops = {o["id"] for o in ops if is_cloud(o["tags"], "aws")}
    aws_loss = token_loss(scn, token, faulted=aws_ops)
    n_alloc = [sum(1 for a in allocations if a["operator"] == o["id"]) for o in ops]
    wsum = [derived_weight_sum(scn, o) for o in ops]
    rho = pair_correlations(scn)
    header = f"""
One liquid restaking token (lrt-a) delegating to 30 node operators that serve 10 AVSs, over one year.

What it asks: what can lrt-a lose to slashing, in ETH and as a share of its NAV ({eth(backing)}), how fat is the
tail when operators that share services, a cloud provider, a client or a region fail together, and which
operators and which AVSs drive the tail (per-operator and per-service contributions to the 99 % ES).

Where the numbers come from (sources in Scenarios/README.md; judgement is labelled as such):
- Size: {eth(sum(stakes))} of operator stake, the order of one large LRT (Renzo held about 1 M ETH in April 2024).
  lrt-a delegates 85-100 % of each operator's stake (the rest is the operator's other restakers) and keeps
  about 2.5 % of its NAV undelegated as a withdrawal buffer (Renzo's buffer was 5,000 ETH + 20,000 stETH).
- Concentration: stake follows 1/rank^{s_exp} with +-10 % noise; the top 3 operators hold {pct(top_share(stakes))} and
  the top 10 {pct(top_share(stakes, 10))} (judgement range for an LRT: top 3 at 40-70 %; Feb 2025: ~7 node operators
  ran ~75 % of restaked ETH).
- Fault probabilities 0.6-2 % a year per operator, larger operators a little lower (judgement; base range
  0.5-2 %, informed by consensus-layer slashing history: a few hundred of ~1 M validators since 2020, in
  clusters of one operator).
- AVSs: slash fraction by kind of fault (judgement): liveness-like 1-2 % (data-availability, keeper-network,
  ai-inference, rollup-watchtower), wrong result 5-10 % (price-oracle, fast-finality, zk-coprocessor,
  shared-sequencer), cross-chain messaging 30 %, a bridge that treats misbehaviour as theft 50 %.
- Allocations: each operator serves {min(n_alloc)}-{max(n_alloc)} AVSs with EigenLayer unique-stake magnitudes of 5-30 % each,
  at most 100 % in total (ELIP-002); popular services (data availability) are served by almost all.
- AVS incidents (judgement, 0.5-2 % a year): data-availability 1 % a year slashing every member 10 % of its
  allocation (a bug in its liveness accounting), interop-messaging 1 % at its 30 %, bridge 0.5 % at its 50 %.
- Correlation, derived (judgement): 0.05 for every pair (shared LRT key management), + 0.03 per shared AVS
  (0.05-0.06 for the complex ones: zk-coprocessor, interop-messaging, bridge; 0.01 for keepers and
  watchtowers), + 0.15 same cloud provider, + 0.08 same consensus client, + 0.04 same region. Pairwise latent
  correlations run from {min(rho):.2f} to {max(rho):.2f} (average {sum(rho) / len(rho):.2f}). Incidents load 0.5 (squared) on their
  service's factor: a service's bug and its operators' faults come together. Operators' weights sum to
  {min(wsum):.2f}-{max(wsum):.2f}, under the 0.95 cap (no rescaling). Self-hosted operators carry a cloud tag of their own
  (self-hosted-op-NN), so the cloud weight links no two of them.
- Depeg (judgement, calibrated loosely on ezETH, April 2024: ~13 % below NAV on aggregated prices with no NAV
  loss at all): after a loss of x of NAV, lrt-a trades min(1, 0.01 + 2x + 0.001 * 7 days) below NAV.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- AWS hosts {pct(aws)} of lrt-a's delegations; if every AWS operator faults at once lrt-a loses {eth(aws_loss)} ({pct(aws_loss / backing)} of NAV).
- If the top 3 operators ({', '.join(top3)}) fault together, lrt-a loses {eth(top3_loss)} ({pct(top3_loss / backing, 2)} of NAV).
- An incident alone costs lrt-a:
  {'; '.join(f'{k} {eth(v)} ({pct(v / backing, 2)})' for k, v in inc.items())}.
- Expected loss, each event taken alone (overlaps ignored): operator faults {eth(e_fault)} a year,
  AVS incidents {eth(e_inc)} a year.
"""
    return scn, header


# ----------------------------------------------------------------------------------------------------------
# 2. three-lrts.yaml (+ stresses)


THREE_SERVICES = [
    # duty (judgement): "liveness" services slash missed duties, "safety" services slash wrong or conflicting
    # results; fault modes select them by this tag.
    svc("data-availability", 0.02, 0.90, incident=0.005, incident_fraction=0.10, duty="liveness"),
    svc("price-oracle", 0.05, 0.75, incident=0.003, incident_fraction=0.30, duty="safety"),
    svc("zk-coprocessor", 0.10, 0.50, duty="safety"),
    svc("shared-sequencer", 0.10, 0.40, duty="safety"),
    svc("keeper-network", 0.01, 0.50, duty="liveness"),
    svc("fast-finality", 0.05, 0.45, incident=0.002, incident_fraction=0.20, duty="safety"),
    svc("bridge", 0.50, 0.30, incident=0.002, duty="safety"),
    svc("interop-messaging", 0.30, 0.30, duty="safety"),
    svc("ai-inference", 0.02, 0.40, duty="liveness"),
    svc("rollup-watchtower", 0.01, 0.35, duty="liveness"),
    svc("randomness-beacon", 0.05, 0.30, duty="safety"),
    svc("preconfirmations", 0.10, 0.35, duty="safety"),
]

# Fault modes of every operator (judgement, Scenarios/README.md): a key compromise slashes every allocation in
# full, equivocation (or a wrong result) the safety services at their own fractions, a liveness fault 0.5 % of
# the liveness services' allocations. P(some mode) = 0.35 % a year per operator.
THREE_MODES = [
    {"id": "key-compromise", "probability": 0.0005, "slash_fraction": 1},
    {"id": "equivocation", "probability": 0.001, "service_tags": {"duty": "safety"}},
    {"id": "liveness", "probability": 0.002, "service_tags": {"duty": "liveness"}, "slash_fraction": 0.005},
]

# Exploits (judgement): each token's own contracts, correlated with the LRTs' key management, and the
# restaking protocol's core contracts, one event for all three tokens.
TOKEN_EXPLOIT = {"probability": 0.002, "nav_loss_fraction": 0.1, "factor_loadings": {"lrt-keys": 0.3}}
PROTOCOL_EXPLOIT = {"probability": 0.001, "nav_loss_fraction": 0.05}

THREE_TOKENS = [
    # id, backing, buffer, operators, zipf exponent, rank noise, queue days, depeg, largest operators (latent
    # ranks, judgement: lrt-b's top 3 are the pool's 2nd, 5th and 1st, so its tail is driven by other names)
    ("lrt-a", 1_000_000, 0.025, 30, 1.1, 0.35, 7, {"per_nav_loss": 2.0, "floor_discount": 0.01, "per_queue_day": 0.001}, []),
    ("lrt-b", 450_000, 0.02, 12, 1.3, 0.6, 10, {"per_nav_loss": 3.0, "floor_discount": 0.02, "per_queue_day": 0.0015}, [1, 4, 0]),
    ("lrt-c", 180_000, 0.04, 36, 0.6, 0.8, 14, {"per_nav_loss": 4.0, "floor_discount": 0.03, "per_queue_day": 0.002}, []),
]

AWS_SCALE = 1.6


def three_lrts():
    rng = random.Random(20260202)
    n = 40
    # A latent "reputation" order over 40 operators; each LRT ranks them with its own noise, so the big
    # operators overlap across LRTs without being identical.
    latent = list(range(n))
    raw = {}   # latent operator -> {token: ETH}
    tokens = []
    orders = []
    for tid, backing, buffer, count, s_exp, noise, queue, depeg, anchors in THREE_TOKENS:
        rest = sorted((i for i in latent if i not in anchors), key=lambda i: (i + 1) * math.exp(rng.gauss(0, noise)))
        orders.append((anchors + rest)[:count])
    # Every operator of the pool is delegated by some LRT: the flat lrt-c takes any left over as its smallest.
    orders[-1] += [i for i in latent if not any(i in o for o in orders)]
    for (tid, backing, buffer, count, s_exp, noise, queue, depeg, anchors), order in zip(THREE_TOKENS, orders):
        w = zipf(len(order), s_exp)
        delegable = backing * (1 - buffer)
        dl = {}
        for rank, i in enumerate(order):
            dl[i] = int(round_down(delegable * w[rank], 100))
            raw.setdefault(i, {})[tid] = dl[i]
        tokens.append({"id": tid, "backing": backing, "protocol": "eigenlayer", "exploit": dict(TOKEN_EXPLOIT),
                       "withdrawal_queue_days": queue, "depeg": depeg, "_raw": dl})
    # Operator stake: what the LRTs delegate plus 5-35 % from other restakers (judgement).
    stake = {i: round_up(sum(raw.get(i, {}).values()) * (1 + rng.uniform(0.05, 0.35)), 100) for i in latent}
    order = sorted(latent, key=lambda i: -stake[i])
    name = {i: op_id(k) for k, i in enumerate(order)}
    ops = []
    for k, i in enumerate(order):
        # The first round's per-operator fault probability is still drawn (and dropped) so that every later draw,
        # tags and allocations included, is the same as before the fault modes: only the fault model changed.
        fault_probability(rng, k, n)
        ops.append({"id": name[i], "stake": int(stake[i]), "tags": {}})
    infra_tags(rng, ops)
    for t in tokens:
        raw_t = t.pop("_raw")
        t["delegations"] = {name[i]: raw_t[i] for i in sorted(raw_t, key=lambda i: name[i])}
    allocations = draw_allocations(rng, ops, THREE_SERVICES)
    # Named factors (judgement): keys and signing infrastructure run by the LRTs (0.45 -> 0.20 between every
    # pair), cloud providers (0.45 AWS, 0.40 others -> 0.20 / 0.16 on the same cloud), consensus clients
    # (0.35 -> 0.12 on the same client). Self-hosted operators load on no cloud.
    factors = [{"id": "lrt-keys", "loadings": {o["id"]: 0.45 for o in ops}}]
    for cloud, a in (("aws", 0.45), ("gcp", 0.40), ("hetzner", 0.40), ("ovh", 0.40)):
        f = {"id": f"cloud-{cloud}", "loadings": {o["id"]: a for o in ops if o["tags"]["cloud"] == cloud}}
        if cloud == "aws":
            f["service_loadings"] = {"data-availability": 0.5}
        factors.append(f)
    for client, _ in CLIENT_MIX:
        f = {"id": f"client-{client}", "loadings": {o["id"]: 0.35 for o in ops if o["tags"]["client"] == client}}
        if client == "prysm":
            f["service_loadings"] = {"fast-finality": 0.4}
        if f["loadings"]:
            factors.append(f)
    portfolios = [
        {"id": "holder", "holdings": {"lrt-a": 400, "lrt-b": 300, "lrt-c": 300}},
        {"id": "loop-b", "holdings": {"lrt-b": 1000},
         "leverage": {"debt": 850, "liquidation_threshold": 0.93, "liquidation_penalty": 0.05}},
    ]
    scn = {
        "format": 1, "name": "Three LRTs sharing 40 operators and 12 AVSs: base case (fault modes, exploits)",
        "simulation": {"trials": 1000000, "seed": 2027, "quantiles": QUANTILES},
        "fault_modes": THREE_MODES,
        "operators": ops, "services": THREE_SERVICES, "allocations": allocations,
        "correlation": {"factors": factors},
        "protocols": [{"id": "eigenlayer", "exploit": PROTOCOL_EXPLOIT}],
        "tokens": tokens, "portfolios": portfolios,
    }
    return scn


def three_lrts_header(scn):
    ops = scn["operators"]
    toks = scn["tokens"]
    lines = []
    for t in toks:
        d = list(t["delegations"].values())
        top3 = ", ".join(k for k, _ in sorted(t["delegations"].items(), key=lambda kv: -kv[1])[:3])
        lines.append(f"  {t['id']}: NAV {eth(t['backing'])}, {len(d)} operators, top 3 ({top3}) hold {pct(top_share(d))} of its")
        lines.append(f"    delegations, {pct(share_of(scn, t, lambda o: is_cloud(o['tags'], 'aws')))} on AWS, withdrawal queue {t['withdrawal_queue_days']} days")
    inc_lines = []
    for s in scn["services"]:
        if s.get("incident_probability"):
            parts = [f"{t['id']} {pct(token_loss(scn, t, incidents={s['id']}) / t['backing'], 2)}" for t in toks]
            inc_lines.append(f"  {s['id']} ({pct(s['incident_probability'])}/yr): " + ", ".join(parts))
    exp_lines = []
    for t in toks:
        f, i = expected_losses(scn, t)
        exp_lines.append(f"{t['id']} {eth(f)} + {eth(i)} + {eth(expected_exploit_loss(scn, t))}")
    shared = sum(1 for o in ops if sum(o["id"] in t["delegations"] for t in toks) >= 2)
    loop = scn["portfolios"][1]
    lt = liquidation_threshold(toks[1], 1000, loop["leverage"])
    max_sq, _ = squared_loadings(scn["correlation"]["factors"])
    modes = {k["id"]: k for k in scn["fault_modes"]}
    p_some = 1 - math.prod(1 - k["probability"] for k in scn["fault_modes"])
    top = ops[0]["id"]
    key_parts = [f"{t['id']} {eth(token_mode_loss(scn, t, {top: [modes['key-compromise']]}))} "
                 f"({pct(token_mode_loss(scn, t, {top: [modes['key-compromise']]}) / t['backing'], 2)})" for t in toks]
    live_a = token_mode_loss(scn, toks[0], {top: [modes["liveness"]]})
    duty = {d: [s["id"] for s in scn["services"] if s["tags"]["duty"] == d] for d in ("safety", "liveness")}
    proto = scn["protocols"][0]["exploit"]
    own = toks[0]["exploit"]
    p_loop = {o: sum(1 for t in toks if o in t["delegations"]) for o in (ops[0]["id"], ops[1]["id"])}
    key_b = max(((o["id"], token_mode_loss(scn, toks[1], {o["id"]: [modes["key-compromise"]]}) / toks[1]["backing"]) for o in ops),
                key=lambda kv: kv[1])
    return f"""
Three liquid restaking tokens over one shared pool of 40 node operators and 12 AVSs, over one year: the base case.

What it asks: in an ordinary year, how do the tails of three LRTs with different concentration compare when they
share operators, clouds, clients, AVSs and a restaking protocol; which operators, AVSs and causes (operator
faults, AVS incidents, exploits) drive each token's tail; and what do an unlevered holder of all three and a
levered holder of lrt-b lose. The stresses are separate overlays in Scenarios/stresses/: cloud-outage.yaml,
avs-bug.yaml and high-fault-rates.yaml (the first round's fault rates).

Where the numbers come from (sources in Scenarios/README.md; judgement is labelled as such):
- Three LRTs of different size and concentration (judgement; April 2024: Renzo about 1 M ETH, ether.fi and Renzo
  the two largest LRTs; LRTs held ~80 % of restaked assets in Feb 2025):
{chr(10).join(lines)}
  Each LRT ranks the 40 operators with its own noise around one common order (lrt-b's three largest are set
  by hand to the 2nd, 5th and 1st of that order), so {shared} operators serve two or three LRTs and the
  largest ones serve all three. An operator's stake is what the LRTs delegate plus 5-35 % from other
  restakers (judgement); the pool holds {eth(sum(o["stake"] for o in ops))}, its top 3 operators {pct(top_share([o["stake"] for o in ops]))}.
- Fault modes of every operator (judgement; ELIP-002's unique stake: each AVS slashes only what is allocated
  to it, at a fraction set by the fault): key compromise {pct(modes['key-compromise']['probability'], 2)} a year (every allocation in full:
  a stolen key signs whatever it is asked to), equivocation or a wrong result {pct(modes['equivocation']['probability'], 1)} (the {len(duty['safety'])} safety
  AVSs at their own fractions), liveness {pct(modes['liveness']['probability'], 1)} (the {len(duty['liveness'])} liveness AVSs at {pct(modes['liveness']['slash_fraction'], 1)} of the allocation).
  P(some mode) = {pct(p_some, 2)} a year per operator, below the first round's 0.6-2 %: AVS slashing has been live
  on EigenLayer only since April 2025, with no public count of slashings executed, and on the consensus layer
  438 validators had been slashed by September 2024 (MigaLabs), in clusters of one operator at a time.
  stresses/high-fault-rates.yaml multiplies every mode by 4 (P(some mode) {pct(1 - math.prod(1 - 4 * k["probability"] for k in scn["fault_modes"]), 2)}).
- 12 AVSs, slash fractions by kind of fault (judgement): liveness-like 1-2 %, wrong result 5-10 %, messaging
  30 %, bridge 50 %, each tagged `duty: liveness` ({", ".join(duty['liveness'])}) or `duty: safety` (the rest).
  Each operator serves 3-8 of them with unique-stake magnitudes of 5-30 % (ELIP-002).
- AVS incidents (judgement, 0.2-0.5 % a year; none is on public record since slashing went live):
  data-availability 0.5 % at 10 % (its off-chain disperser runs on AWS: loads 0.5 on cloud-aws), price-oracle
  0.3 % at 30 % (a slashing-logic bug that treats every report as malicious; stresses/avs-bug.yaml forces it),
  fast-finality 0.2 % at 20 % (loads 0.4 on client-prysm: a client bug that makes its slashing logic misfire),
  bridge 0.2 % at 50 %. No veto: EigenLayer has none (ELIP-002).
- Exploits (judgement; no exploit of an LRT's or EigenLayer's core contracts of this size has happened at the
  time of writing): each token's own contracts {pct(own['probability'], 1)} a year, taking {pct(own['nav_loss_fraction'], 0)} of its NAV (buffer included),
  loading {own['factor_loadings']['lrt-keys']} on lrt-keys (an exploit through the admin keys of an LRT that also runs its operators'
  signers); EigenLayer's core contracts {pct(proto['probability'], 1)} a year, taking {pct(proto['nav_loss_fraction'], 0)} of every token built on it (one event
  for all three).
- Correlation as named factors (judgement): lrt-keys 0.45 on every operator (keys and remote signers run by the
  LRTs: 0.20 between every pair, in the 0.2-0.5 range judged for keys held by the LRT), cloud-aws 0.45 and
  cloud-gcp / cloud-hetzner / cloud-ovh 0.40 (0.20 / 0.16 more on the same cloud), one factor per consensus
  client at 0.35 (0.12 more on the same client). Self-hosted operators load on no cloud. The largest sum of
  squared loadings is {max_sq:.3f} (at most 1 is allowed; stresses/cloud-outage.yaml scales cloud-aws by {AWS_SCALE}).
- Depeg (judgement): lrt-a trades min(1, 0.01 + 2x + 0.001 * 7) below NAV after losing x of it, lrt-b
  min(1, 0.02 + 3x + 0.0015 * 10), lrt-c (thinnest liquidity) min(1, 0.03 + 4x + 0.002 * 14); ezETH, April 2024:
  ~0.2 ETH on one DEX pool for a short time, about 9 % on Gearbox's oracle (GIP-126), with no NAV loss at all.
- Portfolios: holder owns 400 / 300 / 300 ETH of lrt-a / lrt-b / lrt-c at NAV, unlevered; loop-b holds 1,000 ETH
  of lrt-b against 850 ETH of debt (LTV 0.85), liquidated above LTV 0.93 with a 5 % penalty (judgement,
  between Aave's ETH-correlated e-mode and its plain LRT parameters). loop-b is liquidated as soon as lrt-b
  loses {pct(lt, 2)} of its NAV: the market then prices lrt-b {pct(depeg_discount(toks[1], lt), 1)} below NAV, so the collateral is
  worth {1000 * (1 - lt) * (1 - depeg_discount(toks[1], lt)):.0f} ETH against the 850 x 1/0.93 = 914 ETH needed.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- A key compromise of {top} alone (the largest operator, in {"all three" if p_loop[top] == 3 else p_loop[top]} LRTs) costs
  {'; '.join(key_parts)} of NAV; a liveness fault of {top} alone costs lrt-a {live_a:,.1f} ETH. The key compromise that costs lrt-b most is
  {key_b[0]}'s ({pct(key_b[1], 2)} of NAV{', enough to liquidate loop-b' if key_b[1] >= lt else ''}).
- An incident alone costs (share of NAV):
{chr(10).join(inc_lines)}
- An exploit alone: a token's own takes {pct(own['nav_loss_fraction'], 0)} of its NAV (lrt-a {eth(own['nav_loss_fraction'] * toks[0]['backing'])}); EigenLayer's takes
  {pct(proto['nav_loss_fraction'], 0)} of each ({', '.join(f"{t['id']} {eth(proto['nav_loss_fraction'] * t['backing'])}" for t in toks)}).
- Expected loss a year, operator faults + incidents + exploits, each taken alone (overlaps ignored):
  {'; '.join(exp_lines)}.
"""


LIVENESS_OUTAGE_SCALE = 10     # judgement: a bad year at the largest cloud provider multiplies liveness faults by 10
EQUIVOCATION_OUTAGE_SCALE = 3  # judgement: and failovers that double-sign by 3


def cloud_outage_stress(base):
    toks = base["tokens"]
    modes = {k["id"]: k for k in base["fault_modes"]}
    aws_ops = [o["id"] for o in base["operators"] if is_cloud(o["tags"], "aws")]
    live = [f"{t['id']} {token_mode_loss(base, t, {op: [modes['liveness']] for op in aws_ops}):,.0f} ETH" for t in toks]
    equiv = [f"{t['id']} {pct(token_mode_loss(base, t, {op: [modes['equivocation']] for op in aws_ops}) / t['backing'])}" for t in toks]
    stress = {"format": 1, "name": f"AWS outage: cloud-aws loadings x{AWS_SCALE}, liveness faults x{LIVENESS_OUTAGE_SCALE}, equivocation x{EQUIVOCATION_OUTAGE_SCALE}",
              "fault_mode_scale": {"liveness": LIVENESS_OUTAGE_SCALE, "equivocation": EQUIVOCATION_OUTAGE_SCALE},
              "loading_scale": {"cloud-aws": AWS_SCALE}}
    max_sq, max_svc = squared_loadings(base["correlation"]["factors"], scale=stress["loading_scale"])
    header = f"""
Stress overlay for Scenarios/three-lrts.yaml: a cloud outage at the largest provider.
Run: slashsim run Scenarios/three-lrts.yaml --stress Scenarios/stresses/cloud-outage.yaml

What it asks: how much worse do the three LRTs' tails get when AWS, which hosts the most operators, has a
bad year: operators on it fail together far more often, mostly by missing duties, and some of their failovers
double-sign.

Where the numbers come from (judgement, with the sources in Scenarios/README.md):
- loading_scale cloud-aws x{AWS_SCALE}: AWS operators' loading goes from 0.45 to {0.45 * AWS_SCALE:.2f}, so two AWS operators
  get {(0.45 * AWS_SCALE) ** 2:.2f} of latent correlation from the cloud instead of 0.20 ({(0.45 * AWS_SCALE) ** 2 + 0.2025:.2f} with the LRT keys
  factor), far above the 0.05-0.2 judged for a cloud region in normal times. The data-availability
  service's incident loading on cloud-aws becomes {0.5 * AWS_SCALE:.2f}. Largest sums of squared loadings after the
  scaling: operators {max_sq:.3f}, services {max_svc:.3f} (must stay below 1).
- fault_mode_scale liveness x{LIVENESS_OUTAGE_SCALE} ({pct(modes['liveness']['probability'], 1)} -> {pct(modes['liveness']['probability'] * LIVENESS_OUTAGE_SCALE, 0)} a year): an outage is a liveness fault,
  slashed at 0.5 % of the liveness AVSs' allocations; equivocation x{EQUIVOCATION_OUTAGE_SCALE} ({pct(modes['equivocation']['probability'], 1)} -> {pct(modes['equivocation']['probability'] * EQUIVOCATION_OUTAGE_SCALE, 1)}):
  a failover to a backup that signs while the first node still runs (SSV's post-mortem of September 2025:
  keys active in two infrastructures at once during maintenance). Key compromises are unchanged.
- Scale of the event: on 20 Oct 2025 an AWS us-east-1 failure took exchanges, RPC providers and L2s
  offline; AWS is the largest host of Ethereum nodes.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py): if every AWS operator has a
liveness fault at once, the tokens lose {', '.join(live)}; if every AWS operator equivocates at once,
{', '.join(equiv)} of NAV.
"""
    return stress, header


def high_fault_rates_stress(base):
    modes = base["fault_modes"]
    scale = 4
    p_some = 1 - math.prod(1 - k["probability"] for k in modes)
    p_scaled = 1 - math.prod(1 - scale * k["probability"] for k in modes)
    stress = {"format": 1, "name": f"High fault rates: every fault mode x{scale} (the first round's 0.6-2 % a year)",
              "fault_probability_scale": scale}
    header = f"""
Stress overlay for Scenarios/three-lrts.yaml: operators fault as often as the first round assumed.
Run: slashsim run Scenarios/three-lrts.yaml --stress Scenarios/stresses/high-fault-rates.yaml

What it asks: what if AVS slashing turns out as frequent as the base range judged before slashing had any
history (0.5-2 % per operator a year; the first version of three-lrts.yaml used 0.6-2 %), with the same mix of
causes.

Where the numbers come from (judgement; Scenarios/README.md): fault_probability_scale {scale} multiplies every fault
mode (key compromise, equivocation, liveness) by {scale}: P(some mode) per operator goes from {pct(p_some, 2)} to
{pct(p_scaled, 2)} a year. Incidents, exploits, correlation and depeg stay as in the base.
"""
    return stress, header


def avs_bug_stress(base):
    toks = base["tokens"]
    parts = [f"{t['id']} {eth(token_loss(base, t, incidents={'price-oracle'}))} ({pct(token_loss(base, t, incidents={'price-oracle'}) / t['backing'], 2)})"
             for t in toks]
    served = sum(1 for a in base["allocations"] if a["service"] == "price-oracle")
    depeg = {"lrt-a": {"per_nav_loss": 3.0, "floor_discount": 0.03},
             "lrt-b": {"per_nav_loss": 5.0, "floor_discount": 0.05},
             "lrt-c": {"per_nav_loss": 6.0, "floor_discount": 0.08}}
    stress = {"format": 1, "name": "AVS slashing bug: price-oracle slashes its whole operator set",
              "incident_probabilities": {"price-oracle": 1}, "depeg": depeg}
    disc = []
    for t in toks:
        x = token_loss(base, t, incidents={"price-oracle"}) / t["backing"]
        merged = dict(t["depeg"])
        merged.update(depeg[t["id"]])
        disc.append(f"{t['id']} {pct(depeg_discount(t, x, merged))}")
    lev = base["portfolios"][1]["leverage"]
    lt = liquidation_threshold(toks[1], 1000, lev)
    stressed_b = dict(toks[1])
    stressed_b["depeg"] = {**toks[1]["depeg"], **depeg["lrt-b"]}
    lt_stressed = liquidation_threshold(stressed_b, 1000, lev)
    x_b = token_loss(base, toks[1], incidents={"price-oracle"}) / toks[1]["backing"]
    header = f"""
Stress overlay for Scenarios/three-lrts.yaml: a bug in a widely used AVS's slashing logic.
Run: slashsim run Scenarios/three-lrts.yaml --stress Scenarios/stresses/avs-bug.yaml

What it asks: what do the three LRTs and the two portfolios lose in a year in which price-oracle (served by
{served} of the 40 operators) wrongly slashes its entire operator set, on top of ordinary operator faults, and
when the market, seeing it, prices LRTs more harshly.

Where the numbers come from (judgement; sources in Scenarios/README.md):
- incident_probabilities price-oracle 1: the incident happens in every trial. It slashes every member 30 % of
  its price-oracle allocation (incident_slash_fraction in the base). EigenLayer has no protocol-level veto
  (ELIP-002), so a buggy AVS can slash without proof (Symbiotic lets a resolver veto; none is modelled here).
- depeg widened (lrt-a / lrt-b / lrt-c): per_nav_loss 2 / 3 / 4 -> 3 / 5 / 6, floor 1 / 2 / 3 % -> 3 / 5 / 8 %
  (ezETH, April 2024: ~0.2 ETH on one DEX pool for a short time, about 9 % on Gearbox's oracle).

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- The incident alone costs {'; '.join(parts)} of NAV,
  and prices the tokens {', '.join(disc)} below NAV.
- loop-b (LTV 0.85, liquidated above 0.93) is liquidated once lrt-b loses {pct(lt, 2)} of NAV under the base depeg
  model and {pct(lt_stressed, 2)} under this overlay's; the incident alone costs lrt-b {pct(x_b, 2)}, so loop-b is
  {'liquidated in every trial' if x_b > lt_stressed else 'not liquidated by the incident alone'}.
"""
    return stress, header


# ----------------------------------------------------------------------------------------------------------
# 5. cloud-outage.yaml


LIVENESS_FRACTION = 0.005     # judgement: a liveness slash costs 0.5 % of the allocation (as unique-stake.yaml)
FAILOVER_DOUBLE_SIGN = 0.002  # judgement: about one outage-driven fault in five to ten ends in an equivocating failover


def cloud_outage():
    rng = random.Random(20260303)
    n, s_exp, total = 25, 1.0, 480_000
    # Hosting by rank (judgement): an LRT whose operators sit mostly in one AWS region.
    hosting = ["use1", "use1", "euc1", "use1", "gcp", "use1", "use1", "hetzner", "self", "use1", "euc1", "use1", "gcp",
               "self", "use1", "use1", "hetzner", "euc1", "use1", "self", "gcp", "use1", "use1", "self", "euc1"]
    tag_of = {"use1": ("aws", "us-east-1"), "euc1": ("aws", "eu-central-1"), "gcp": ("gcp", "us-central1"),
              "hetzner": ("hetzner", "eu-central"), "self": ("self-hosted", "eu-west")}
    weights = sorted((w * rng.uniform(0.9, 1.1) for w in zipf(n, s_exp)), reverse=True)
    ops = []
    for k, w in enumerate(weights):
        cloud, region = tag_of[hosting[k]]
        # Fault modes (issue 15): the outage-driven fault is a liveness fault at a small fraction of each
        # allocation; a failover that double-signs, rarer, is slashed at each service's own fraction.
        ops.append({"id": op_id(k), "stake": int(round_up(total * w, 100)),
                    "fault_modes": [{"id": "liveness", "probability": fault_probability(rng, k, n, low=0.008, span=0.008),
                                     "slash_fraction": LIVENESS_FRACTION},
                                    {"id": "failover-double-sign", "probability": FAILOVER_DOUBLE_SIGN}],
                    "tags": draw_tags(rng, cloud=cloud, region=region)})
    assign_by_share(rng, ops, CLIENT_MIX, "client")
    self_hosted_unique(ops)
    services = [
        svc("data-availability", 0.02, 0.95, incident=0.01, incident_fraction=0.10),
        svc("price-oracle", 0.05, 0.65),
        svc("zk-coprocessor", 0.10, 0.50),
        svc("shared-sequencer", 0.10, 0.40),
        svc("keeper-network", 0.01, 0.50),
        svc("bridge", 0.50, 0.30),
    ]
    allocations = draw_allocations(rng, ops, services, kmin=3, kmax=6)
    region_ops = [o["id"] for o in ops if o["tags"].get("region") == "us-east-1"]
    aws_ops = [o["id"] for o in ops if o["tags"]["cloud"] == "aws"]
    factors = [
        {"id": "aws-us-east-1", "loadings": {op: 0.75 for op in region_ops}, "service_loadings": {"data-availability": 0.6}},
        {"id": "aws", "loadings": {op: 0.30 for op in aws_ops}},
        {"id": "gcp", "loadings": {o["id"]: 0.40 for o in ops if o["tags"]["cloud"] == "gcp"}},
        {"id": "hetzner", "loadings": {o["id"]: 0.40 for o in ops if o["tags"]["cloud"] == "hetzner"}},
        {"id": "lrt-keys", "loadings": {o["id"]: 0.30 for o in ops}},
    ]
    for client, _ in CLIENT_MIX:
        members = {o["id"]: 0.30 for o in ops if o["tags"]["client"] == client}
        if members:
            factors.append({"id": f"client-{client}", "loadings": members})
    delegations = {o["id"]: int(round_down(o["stake"] * rng.uniform(0.85, 1.0), 100)) for o in ops}
    backing = int(round_up(sum(delegations.values()) / 0.975, 1000))
    token = {"id": "lrt-d", "backing": backing, "withdrawal_queue_days": 7,
             "depeg": {"per_nav_loss": 3.0, "floor_discount": 0.02, "per_queue_day": 0.001}, "delegations": delegations}
    scn = {
        "format": 1, "name": "Cloud outage: one LRT, 25 operators concentrated in one AWS region (Student t copula)",
        "simulation": {"trials": 1000000, "seed": 2028, "quantiles": QUANTILES},
        "copula": {"student_t": {"degrees_of_freedom": 4}},
        "operators": ops, "services": services, "allocations": allocations,
        "correlation": {"factors": factors}, "tokens": [token],
    }
    stakes = [o["stake"] for o in ops]
    region_share = share_of(scn, token, lambda o: o["tags"].get("region") == "us-east-1")
    aws_share = share_of(scn, token, lambda o: o["tags"]["cloud"] == "aws")
    region_loss = token_loss(scn, token, faulted=set(region_ops), mode_fraction=LIVENESS_FRACTION)
    region_loss_inc = token_loss(scn, token, faulted=set(region_ops), incidents={"data-availability"}, mode_fraction=LIVENESS_FRACTION)
    region_loss_safety = token_loss(scn, token, faulted=set(region_ops))
    max_sq, _ = squared_loadings(factors)
    e_fault, e_inc = expected_losses(scn, token)
    header = f"""
Cloud outage: one liquid restaking token (lrt-d) whose 25 operators sit mostly in one AWS region, over one year.

What it asks: how bad is lrt-d's tail when one cloud region fails and takes most of its operators down
together, with a Student t copula (4 degrees of freedom) so that joint extremes are more likely than the
Gaussian copula allows; and how much of the tail is the region rather than the operators themselves.

Where the numbers come from (sources in Scenarios/README.md; judgement is labelled as such):
- Size and concentration: {eth(sum(stakes))} of operator stake, stake ∝ 1/rank with +-10 % noise (top 3: {pct(top_share(stakes))});
  lrt-d delegates 85-100 % of each operator's stake and keeps ~2.5 % of NAV ({eth(backing)}) as a buffer.
- Hosting (judgement, deliberately concentrated): {len(region_ops)} operators with {pct(region_share)} of lrt-d's delegations in AWS
  us-east-1, {pct(aws_share)} on AWS in all; the rest on GCP, Hetzner or self-hosted. On 20 Oct 2025 an AWS us-east-1
  failure took exchanges, RPC providers and L2s offline; about 37 % of Ethereum execution-layer nodes ran on AWS.
- Fault modes (judgement; ELIP-002's unique stake: each AVS slashes only what is allocated to it, at a fraction
  that depends on the fault): a liveness fault, 0.8-2 % a year per operator (base range 0.5-2 %), slashes
  {pct(LIVENESS_FRACTION)} of each allocation, on every AVS the operator serves; a failover that double-signs,
  {pct(FAILOVER_DOUBLE_SIGN)} a year per operator, is slashed at each AVS's own fraction (a safety fault). The operator's
  latent, which the region factor moves, decides whether it faults; given a fault, the modes fire independently
  with their probabilities, conditioned on at least one (docs/model.md), so 80-91 % of faults (outage-driven
  or not) are liveness faults only.
- Six AVSs (judgement): slash fractions data-availability 2 %, keeper-network 1 %, price-oracle 5 %,
  zk-coprocessor and shared-sequencer 10 %, bridge 50 % (these apply to the double-signing failover); each
  operator serves 3-6 with magnitudes of 5-30 %.
- data-availability has a 1 %/yr incident at 10 % whose latent loads 0.6 on the us-east-1 factor: its
  off-chain disperser in the same region fails and its liveness accounting slashes the whole set (judgement).
- Factors (judgement): aws-us-east-1 0.75 (0.56 of latent correlation between two operators in the region:
  a strong stress-like factor), aws 0.30 (the provider's control plane, 0.09), gcp and hetzner 0.40, lrt-keys
  0.30 on everyone (0.09), one factor per consensus client at 0.30 (0.09). Largest sum of squared loadings:
  {max_sq:.3f}. The t copula multiplies all latents by one common random scale, sqrt(4 / chi-square(4)), so
  every operator's tail thickens together (tail dependence even between operators that share no factor).
- Depeg (judgement): min(1, 0.02 + 3x + 0.001 * 7 days) below NAV after a loss of x.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- If every us-east-1 operator has a liveness fault, lrt-d loses {eth(region_loss)} ({pct(region_loss / backing, 2)} of NAV); with the
  data-availability incident as well, {eth(region_loss_inc)} ({pct(region_loss_inc / backing)}); if every one of them
  double-signed instead, {eth(region_loss_safety)} ({pct(region_loss_safety / backing)}).
- Expected loss, each event (and each fault mode) taken alone: operator faults {eth(e_fault)} a year, incidents
  {eth(e_inc)} a year.
"""
    return scn, header


# ----------------------------------------------------------------------------------------------------------
# 6. avs-slashing-bug.yaml


def avs_slashing_bug():
    rng = random.Random(20260404)
    n, s_exp, total = 20, 1.1, 410_000
    weights = sorted((w * rng.uniform(0.9, 1.1) for w in zipf(n, s_exp)), reverse=True)
    ops = [{"id": op_id(k), "stake": int(round_up(total * w, 100)), "fault_probability": fault_probability(rng, k, n),
            "tags": {}} for k, w in enumerate(weights)]
    infra_tags(rng, ops)
    services = [
        svc("data-availability", 0.02, 0.90),
        svc("price-oracle", 0.05, 0.60),
        svc("zk-coprocessor", 0.10, 0.60, incident=0.02, incident_fraction=0.50),
        svc("shared-sequencer", 0.10, 0.40),
        svc("keeper-network", 0.01, 0.50),
        svc("fast-finality", 0.05, 0.40),
        svc("bridge", 0.50, 0.45, incident=0.01, incident_fraction=1.0),
        svc("ai-inference", 0.02, 0.35),
    ]
    allocations = draw_allocations(rng, ops, services)
    delegations = {o["id"]: int(round_down(o["stake"] * rng.uniform(0.85, 1.0), 100)) for o in ops}
    backing = int(round_up(sum(delegations.values()) / 0.975, 1000))
    token = {"id": "lrt-e", "backing": backing, "withdrawal_queue_days": 7,
             "depeg": {"per_nav_loss": 2.5, "floor_discount": 0.02, "per_queue_day": 0.001}, "delegations": delegations}
    scn = {
        "format": 1, "name": "AVS slashing bug vs operator faults: one LRT, 20 operators, 8 AVSs",
        "simulation": {"trials": 1000000, "seed": 2029, "quantiles": QUANTILES},
        "operators": ops, "services": services, "allocations": allocations,
        "correlation": {"derived": {"common": 0.05, "shared_services": 0.03,
                                    "tags": {"cloud": 0.15, "client": 0.08, "region": 0.04}, "incidents": 0}},
        "tokens": [token],
    }
    stakes = [o["stake"] for o in ops]
    bridge = token_loss(scn, token, incidents={"bridge"})
    zk = token_loss(scn, token, incidents={"zk-coprocessor"})
    both = token_loss(scn, token, incidents={"bridge", "zk-coprocessor"})
    e_fault, e_inc = expected_losses(scn, token)
    top = ops[0]["id"]
    top_loss = token_loss(scn, token, faulted={top})
    served = {s["id"]: sum(1 for a in allocations if a["service"] == s["id"]) for s in services}
    wsum = [derived_weight_sum(scn, o) for o in ops]
    rho = pair_correlations(scn)
    header = f"""
AVS slashing bug vs operator faults: one liquid restaking token (lrt-e), 20 operators, 8 AVSs, one year.

What it asks: what does a bug in an AVS's slashing logic (the service slashes its whole operator set at
once) cost lrt-e, compared with ordinary operator faults; in the report, compare the per-service
contributions of bridge and zk-coprocessor (incidents) with the per-operator contributions (faults).

Where the numbers come from (sources in Scenarios/README.md; judgement is labelled as such):
- Size and concentration: {eth(sum(stakes))} of operator stake, stake ∝ 1/rank^1.1 with +-10 % noise (top 3:
  {pct(top_share(stakes))}); lrt-e delegates 85-100 % of each operator's stake and keeps ~2.5 % of NAV ({eth(backing)}).
- Fault probabilities 0.6-2 % a year (judgement, base range 0.5-2 %).
- Eight AVSs with slash fractions by kind of fault (judgement): liveness-like 1-2 %, wrong result 5-10 %,
  bridge 50 %. Each operator serves 3-8 with unique-stake magnitudes of 5-30 % (ELIP-002).
- Two buggy services (judgement; the 0.5-2 % a year range for an AVS incident has no track record behind it,
  since slashing has been live on EigenLayer only since 17 April 2025 and Symbiotic's mainnet, with slashing
  from day one, was announced in January 2025):
  bridge (served by {served['bridge']} operators): 1 % a year, and its bug (say, in fraud-proof verification) slashes
  100 % of every member's bridge allocation; zk-coprocessor ({served['zk-coprocessor']} operators): 2 % a year at 50 %.
  EigenLayer has no protocol-level veto: an AVS may slash without on-chain proof.
- Correlation, derived (judgement): 0.05 for every pair, + 0.03 per shared AVS, + 0.15 same cloud, + 0.08 same
  client, + 0.04 same region: pairwise latent correlations {min(rho):.2f}-{max(rho):.2f}, average {sum(rho) / len(rho):.2f} (weights
  per operator {min(wsum):.2f}-{max(wsum):.2f}, under the 0.95 cap). incidents: 0 keeps the two bugs independent of
  operator faults and of each other, so the comparison is clean; raise it to let a bug and its operators'
  faults come together.
- Depeg (judgement): min(1, 0.02 + 2.5x + 0.001 * 7 days) below NAV after a loss of x.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- The bridge bug alone costs lrt-e {eth(bridge)} ({pct(bridge / backing, 2)} of NAV); the zk-coprocessor bug alone
  {eth(zk)} ({pct(zk / backing, 2)}); both {eth(both)} ({pct(both / backing, 2)}).
- For comparison, a fault of the largest operator ({top}) costs {eth(top_loss)} ({pct(top_loss / backing, 2)}).
- Expected loss a year, each event taken alone: operator faults {eth(e_fault)}, AVS bugs {eth(e_inc)}.
"""
    return scn, header


# ----------------------------------------------------------------------------------------------------------
# 7. leveraged-loop.yaml


def leveraged_loop():
    rng = random.Random(20260505)
    n, s_exp, total = 15, 1.2, 310_000
    weights = sorted((w * rng.uniform(0.9, 1.1) for w in zipf(n, s_exp)), reverse=True)
    ops = [{"id": op_id(k), "stake": int(round_up(total * w, 100)), "fault_probability": fault_probability(rng, k, n),
            "tags": {}} for k, w in enumerate(weights)]
    infra_tags(rng, ops)
    services = [
        svc("data-availability", 0.02, 0.90),
        svc("price-oracle", 0.05, 0.65),
        svc("zk-coprocessor", 0.10, 0.50),
        svc("shared-sequencer", 0.10, 0.40),
        svc("keeper-network", 0.01, 0.50),
        svc("bridge", 0.50, 0.30, incident=0.005),
    ]
    allocations = draw_allocations(rng, ops, services, kmin=3, kmax=6)
    delegations = {o["id"]: int(round_down(o["stake"] * rng.uniform(0.85, 1.0), 100)) for o in ops}
    backing = int(round_up(sum(delegations.values()) / 0.975, 1000))
    depeg = {"per_nav_loss": 3.0, "floor_discount": 0.02, "per_queue_day": 0.002}
    token = {"id": "lrt-f", "backing": backing, "withdrawal_queue_days": 10, "depeg": depeg, "delegations": delegations}
    lev = lambda debt: {"debt": debt, "liquidation_threshold": 0.93, "liquidation_penalty": 0.05}
    portfolios = [
        {"id": "unlevered", "holdings": {"lrt-f": 1000}},
        {"id": "loop-ltv-85", "holdings": {"lrt-f": 1000}, "leverage": lev(850)},
        {"id": "loop-ltv-88", "holdings": {"lrt-f": 1000}, "leverage": lev(880)},
    ]
    scn = {
        "format": 1, "name": "Leveraged loop: 1,000 ETH of one LRT, unlevered vs looped at LTV 0.85 and 0.88",
        "simulation": {"trials": 1000000, "seed": 2030, "quantiles": QUANTILES},
        "operators": ops, "services": services, "allocations": allocations,
        "correlation": {"derived": {"common": 0.05, "shared_services": 0.03, "service_weights": {"bridge": 0.06},
                                    "tags": {"cloud": 0.15, "client": 0.08, "region": 0.04}, "incidents": 0.5}},
        "tokens": [token], "portfolios": portfolios,
    }
    stakes = [o["stake"] for o in ops]
    t85 = liquidation_threshold(token, 1000, lev(850))
    t88 = liquidation_threshold(token, 1000, lev(880))
    base_disc = depeg["floor_discount"] + depeg["per_queue_day"] * 10

    def liquidated_loss(x, debt):
        # The liquidator repays the debt and seizes debt x 1.05 of collateral at market; the holder keeps the rest
        # at NAV (slashsim's model, docs/model.md).
        market = 1000 * (1 - x) * (1 - depeg_discount(token, x))
        seized = min(1, debt * 1.05 / market)
        return min(1000 - debt, 1000 - debt - (1 - seized) * 1000 * (1 - x))

    loss88 = liquidated_loss(t88 * 1.0001, 880)
    loss85 = liquidated_loss(t85 * 1.0001, 850)
    smallest = min(slashed_fraction(scn, o["id"], True) * delegations[o["id"]] for o in ops) / backing
    single = sorted(((slashed_fraction(scn, o["id"], True) * delegations[o["id"]] / backing, o["id"]) for o in ops), reverse=True)
    n85 = sum(1 for x, _ in single if x > t85)
    n88 = sum(1 for x, _ in single if x > t88)
    header = f"""
Leveraged loop: a holder of 1,000 ETH (at NAV) of one liquid restaking token (lrt-f), unlevered or looped
(borrow ETH against the LRT, buy more LRT) at an LTV of 0.85 or 0.88, over one year.

What it asks: the probability that the looped positions are liquidated and their loss of principal (equity:
150 and 120 ETH), against the unlevered holder's loss, when slashing of lrt-f's 15 operators costs it NAV
and the market then prices it below NAV.

Where the numbers come from (sources in Scenarios/README.md; judgement is labelled as such):
- The token: {eth(sum(stakes))} of operator stake over 15 operators, stake ∝ 1/rank^1.2 with +-10 % noise (top 3:
  {pct(top_share(stakes))}); lrt-f delegates 85-100 % of each operator's stake and keeps ~2.5 % of NAV ({eth(backing)}).
  Fault probabilities 0.6-2 % a year; six AVSs served 3-6 each at 5-30 % magnitude; a bridge incident of
  0.5 % a year at its 50 %; derived correlation as in single-lrt.yaml (all judgement).
- Depeg (judgement, calibrated loosely on ezETH, 24 April 2024: ~13 % below NAV on aggregated prices, 0.2 ETH on
  one DEX pool for about an hour, >$60 M of leveraged positions liquidated on Morpho and Gearbox, all with no
  NAV loss at all): after a loss of x of NAV lrt-f trades min(1, 0.02 + 3x + 0.002 * 10 days) below NAV, i.e.
  {pct(base_disc)} plus three times the loss; a 3 % NAV loss prices it ~13 % below NAV, an ezETH-sized discount.
  A 10-day queue is the order of Renzo's documented withdrawal path (7-day EigenLayer escrow, beacon-chain
  exit queue, 3-day cooldown).
- Leverage (judgement): liquidated when debt > 0.93 x the market value of the collateral, the liquidator
  repaying the debt and seizing 1.05 x the debt of collateral at market (a 5 % bonus; for comparison: an Aave
  proposal of January 2024 set stETH's ETH-correlated e-mode to LTV 93 % and a 95 % liquidation threshold
  with a 1 % bonus; weETH outside e-mode was listed at a 75-80 % threshold with a 7-7.5 % bonus). The holder
  keeps the rest of its holdings at NAV: the depeg discount is realised on what is seized.

Exact what-if numbers (no simulation; computed by Scenarios/tools/generate.py):
- loop-ltv-85 (debt 850) is liquidated once lrt-f loses {pct(t85, 2)} of NAV; loop-ltv-88 (debt 880) once it loses
  {pct(t88, 2)}. The unlevered holder loses 10 ETH per 1 % of NAV.
- Just past those thresholds a liquidated loop loses {loss85:.0f} of its 150 ETH (LTV 0.85) and {loss88:.0f} of its 120 ETH
  (LTV 0.88); the unlevered holder has lost under {10 * 100 * t85:.0f} ETH.
- A fault of a single operator already moves lrt-f by up to {pct(single[0][0], 2)} ({single[0][1]}); {n85} of the 15 operators'
  faults alone liquidate loop-ltv-85, {n88} liquidate loop-ltv-88 (the smallest single-operator fault is
  {pct(smallest, 3)} of NAV).
"""
    return scn, header


# ----------------------------------------------------------------------------------------------------------


def generate():
    problems = []
    scenarios = {}

    scn, header = single_lrt()
    scenarios["single-lrt.yaml"] = (scn, header)
    three = three_lrts()
    scenarios["three-lrts.yaml"] = (three, three_lrts_header(three))
    scenarios["cloud-outage.yaml"] = cloud_outage()
    scenarios["avs-slashing-bug.yaml"] = avs_slashing_bug()
    scenarios["leveraged-loop.yaml"] = leveraged_loop()

    notes = {
        "single-lrt.yaml": {"data-availability": "liveness-like; incident: a bug in its liveness accounting slashes every member",
                            "bridge": "misbehaviour treated as theft; incident at the same 50 %",
                            "interop-messaging": "incident at the same 30 %"},
        "three-lrts.yaml": {"data-availability": "incident loads 0.5 on cloud-aws (its disperser runs there)",
                            "price-oracle": "widely used; its slashing-logic bug is stresses/avs-bug.yaml",
                            "fast-finality": "incident loads 0.4 on client-prysm"},
        "cloud-outage.yaml": {"data-availability": "incident loads 0.6 on aws-us-east-1"},
        "avs-slashing-bug.yaml": {"bridge": "bug: slashes 100 % of every member's allocation",
                                  "zk-coprocessor": "bug: slashes 50 % of every member's allocation"},
    }
    for file, (scn, header) in scenarios.items():
        write_scenario(SCENARIOS / file, header, scn, service_notes=notes.get(file))

    (SCENARIOS / "stresses").mkdir(exist_ok=True)
    for file, (stress, header) in {"cloud-outage.yaml": cloud_outage_stress(three), "avs-bug.yaml": avs_bug_stress(three),
                                   "high-fault-rates.yaml": high_fault_rates_stress(three)}.items():
        write_stress(SCENARIOS / "stresses" / file, header, stress)

    problems += validate()
    for file, (scn, _) in scenarios.items():
        summarize(file, scn)
    return problems


SCENARIO_FILES = ["single-lrt.yaml", "three-lrts.yaml", "cloud-outage.yaml", "avs-slashing-bug.yaml", "leveraged-loop.yaml"]
STRESS_FILES = ["cloud-outage.yaml", "avs-bug.yaml", "high-fault-rates.yaml"]  # overlays of three-lrts.yaml


def validate():
    """Every written file through slashsim's own validator (SLASHSIM_BIN, else slashsim on PATH, else the
    package's release build): a scenario must validate without a warning; a stress must apply to three-lrts.yaml."""
    import os
    import shutil
    import subprocess
    binary = os.environ.get("SLASHSIM_BIN") or shutil.which("slashsim") or str(SCENARIOS.parent / ".build/release/slashsim")
    if not Path(binary).exists():
        return [f"no slashsim binary at {binary}: build it (swift build -c release --product slashsim) or set SLASHSIM_BIN"]
    problems = []
    for file in SCENARIO_FILES:
        run = subprocess.run([binary, "validate", str(SCENARIOS / file)], capture_output=True, text=True)
        if run.returncode != 0 or "warning" in run.stderr + run.stdout:
            problems.append(f"{file}: {(run.stderr or run.stdout).strip()}")
    for file in STRESS_FILES:
        run = subprocess.run([binary, "run", str(SCENARIOS / "three-lrts.yaml"), "--stress", str(SCENARIOS / "stresses" / file),
                              "--trials", "1024", "--quiet", "--no-contributions", "--format", "json"], capture_output=True, text=True)
        if run.returncode != 0:
            problems.append(f"stresses/{file}: {run.stderr.strip()}")
    return problems


def summarize(file, scn):
    ops = scn["operators"]
    per = {}
    for a in scn["allocations"]:
        per.setdefault(a["operator"], []).append(a["magnitude"])
    counts = [len(v) for v in per.values()]
    totals = [sum(v) for v in per.values()]
    print(f"{file}: {len(ops)} operators, {len(scn['services'])} services, {len(scn['allocations'])} allocations "
          f"(per operator {min(counts)}-{max(counts)}, total magnitude {min(totals):.2f}-{max(totals):.2f}), "
          f"top-3 stake {pct(top_share([o['stake'] for o in ops]))}")
    for t in scn.get("tokens", []):
        d = sum(t["delegations"].values())
        print(f"  {t['id']}: backing {t['backing']}, delegated {d} ({pct(d / t['backing'])}), {len(t['delegations'])} operators")


def main():
    if "--check" in sys.argv:
        problems = validate()
    else:
        problems = generate()
    for p in problems:
        print("PROBLEM:", p)
    print("every file validates" if not problems else f"{len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
