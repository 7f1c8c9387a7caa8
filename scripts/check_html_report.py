#!/usr/bin/env python3
"""The HTML report (`slashsim run --report FILE.html`) in a real headless browser (Debian's `chromium`).

    python3 scripts/check_html_report.py [SLASHSIM_BINARY] [--artifacts DIR]

Runs the bundled three-LRT scenario with its two stresses, writing the page and the JSON report, then checks
in Chromium that:
- the page loads with no console message at all (it has no script; the check is first shown to catch a
  deliberately broken page, so it can fail);
- it fetches nothing: no src/href/url() anywhere, and the browser runs with every host unresolvable;
- the DOM has every section and table with the expected rows, and each figure's SVG is laid out with one curve
  per scenario (measured by a probe script added to a copy of the page, the layout read back from the DOM);
- the header and the totals carry the JSON report's version, digest, trials and numbers;
and keeps a screenshot of the whole page (DIR/report.png, default .build/artifacts/html-report).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
<script>
window.addEventListener('load', () => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const out = {
    title: document.title,
    sections: [...document.querySelectorAll('section')].map(s => s.id),
    tables: Object.fromEntries([...document.querySelectorAll('table')].map(t => [t.id, t.querySelectorAll('tbody tr').length])),
    figures: [...document.querySelectorAll('figure')].map(f => ({
      id: f.id, svg: box(f.querySelector('svg')), curves: [...f.querySelectorAll('polyline')].map(box),
      markers: f.querySelectorAll('line[stroke-dasharray]').length,
      ticks: [...f.querySelectorAll('text[text-anchor="middle"]')].map(t => t.textContent)})),
    provenance: Object.fromEntries([...document.querySelectorAll('#provenance dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent])),
    total: Object.fromEntries([...document.querySelectorAll('#total-table tbody tr')].map(r => [r.cells[0].textContent, r.cells[1].textContent])),
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000"]


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("check_html_report: no chromium on PATH. Fix: apt-get install chromium")


def chromium(args, page):
    """Runs Chromium on a page; returns (stdout, the console lines of stderr)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([browser(), *BROWSER_FLAGS, f"--user-data-dir={profile}", *args, "file://" + page],
                              capture_output=True, text=True, timeout=180)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def fail(message):
    print("check_html_report: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=os.path.join(ROOT, ".build/debug/slashsim"))
    parser.add_argument("--artifacts", default=os.path.join(ROOT, ".build/artifacts/html-report"))
    options = parser.parse_args()
    os.makedirs(options.artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="slashsim-html-")
    page, report = os.path.join(work, "report.html"), os.path.join(work, "report.json")
    stresses = ["Scenarios/stresses/avs-bug.yaml", "Scenarios/stresses/cloud-outage.yaml"]
    command = [os.path.abspath(options.binary), "run", "Scenarios/three-lrts.yaml", "--trials", "20000", "--format", "json",
               "--output", report, "--report", page] + sum([["--stress", s] for s in stresses], [])
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    comparison = json.load(open(report))
    base = comparison["base"]

    # The console check can fail: a page with a console error and an uncaught exception is caught.
    broken = os.path.join(work, "broken.html")
    with open(broken, "w") as f:
        f.write('<!DOCTYPE html><html><body><script>console.error("deliberate"); missingFunction();</script></body></html>')
    _, console = chromium(["--dump-dom"], broken)
    if len(console) < 2:
        fail(f"the console check missed a deliberately broken page ({console})")

    text = open(page, encoding="utf-8").read()
    external = re.findall(r'\b(?:src|href)\s*=|url\(|@import|<script|<link|<iframe|<img', text, re.IGNORECASE)
    if external:
        fail(f"the page refers to resources or has scripts: {external[:5]}")

    _, console = chromium(["--dump-dom"], page)
    if console:
        fail("console messages on loading the report:\n" + "\n".join(console))

    probed = os.path.join(work, "probed.html")
    with open(probed, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    dom, console = chromium(["--dump-dom"], probed)
    if console:
        fail("console messages from the probe:\n" + "\n".join(console))
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    if not match:
        fail("the probe found no rendered page")
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))

    tokens, portfolios = base["tokens"], base["portfolios"]
    expected_sections = ["total", "tokens", "portfolios", "contributors", "stresses"]
    if probe["sections"] != expected_sections:
        fail(f"sections {probe['sections']}, expected {expected_sections}")
    levels = len(base["total"]["quantiles"])
    expected_tables = {"total-table": 2 + 2 * levels + 2, "tokens-table": len(tokens), "portfolios-table": len(portfolios),
                       "operators-table": min(10, len(base["operators"])), "services-table": min(5, len(base["services"])),
                       "stresses-table": 1 + len(stresses)}
    if probe["tables"] != expected_tables:
        fail(f"table rows {probe['tables']}, expected {expected_tables}")
    if [f["id"] for f in probe["figures"]] != ["plot-total"] + [f"plot-token-{t}" for t in range(len(tokens))]:
        fail(f"figures {[f['id'] for f in probe['figures']]}")
    for figure in probe["figures"]:
        width, height = figure["svg"]
        if width < 300 or height < 100:
            fail(f"{figure['id']}: the plot is laid out at {width}×{height}")
        if len(figure["curves"]) != 1 + len(stresses) or any(w <= 0 and h <= 0 for w, h in figure["curves"]):
            fail(f"{figure['id']}: curves {figure['curves']}, expected {1 + len(stresses)} drawn")
        if figure["markers"] < 2:
            fail(f"{figure['id']}: {figure['markers']} VaR/ES markers")
        ticks = [t for t in figure["ticks"] if re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", t)]
        if not ticks or any(re.search(r"\.\d{3,}", t) for t in ticks):
            fail(f"{figure['id']}: axis ticks {ticks} are not round")

    facts = probe["provenance"]
    for key, value in [("slashsim", base["slashsim_version"]), ("scenario SHA-256", base["scenario_sha256"]),
                       ("seed", str(base["seed"])), ("trials", f"{base['trials']:,}"), ("kernel level", base["kernel_level"])]:
        if facts.get(key) != value:
            fail(f"header {key}: {facts.get(key)!r}, the JSON report says {value!r}")
    mean = f"{base['total']['mean']:,.2f}"
    if probe["total"].get("expected loss") != mean:
        fail(f"expected loss {probe['total'].get('expected loss')!r}, the JSON report says {mean}")
    for q in base["total"]["quantiles"]:
        label = "VaR " + (f"{q['level'] * 100:.6f}".rstrip("0").rstrip(".")) + " %"
        if probe["total"].get(label) != f"{q['loss']:,.2f}":
            fail(f"{label} {probe['total'].get(label)!r}, the JSON report says {q['loss']:,.2f}")

    screenshot = os.path.join(options.artifacts, "report.png")
    chromium([f"--screenshot={screenshot}", "--window-size=1100,6000", "--hide-scrollbars"], page)
    if not os.path.exists(screenshot) or os.path.getsize(screenshot) < 20000:
        fail("no screenshot of the page")
    shutil.copy(page, os.path.join(options.artifacts, "report.html"))
    print(f"check_html_report: the page loads with no console message, fetches nothing, and renders "
          f"{len(probe['sections'])} sections, {len(probe['tables'])} tables and {len(probe['figures'])} plots "
          f"matching the JSON report; screenshot {os.path.relpath(screenshot, ROOT)}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
