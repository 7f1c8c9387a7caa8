import Foundation
import ScenarioFormat
import SlashingReports
import BatchFiles
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// The `slashsim` binary end to end: reports, formats, exit codes and messages.
@Suite struct CommandLineTests {
    static let scenario = Fixtures.twoOperatorScenario

    func writeScenario(_ text: String = CommandLineTests.scenario, name: String = "two.yaml") throws -> URL {
        let url = try SlashsimBinary.temporaryFolder().appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func defaultScenarioRunsWithoutArguments() throws {
        let outcome = try SlashsimBinary.run(["run", "--trials", "20000", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Default: one LRT, 20 operators, 6 AVSs"))
        #expect(outcome.stdout.contains("Expected loss"))
        #expect(outcome.stdout.contains("99.9 %"))
        #expect(outcome.stderr.isEmpty)
    }

    @Test func bundledScenarioFileValidates() throws {
        let outcome = try SlashsimBinary.run(["validate", "Scenarios/default.yaml"], in: SlashsimBinary.packageRoot)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("ok: Scenarios/default.yaml"))
    }

    @Test func jsonReportFollowsTheContract() throws {
        let file = try writeScenario()
        let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--threads", "2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(object["scenario"] as? String == "Two AVSs sharing operators")
        #expect(object["trials"] as? Int == 50000)
        #expect(object["seed"] as? Int == 42)
        #expect(object["threads"] as? Int == 2)
        #expect(object["elapsed_seconds"] is Double)
        let total = try #require(object["total"] as? [String: Any])
        for key in ["mean", "mean_standard_error", "standard_deviation", "probability_of_loss"] {
            #expect(total[key] is Double || total[key] is Int, "total.\(key)")
        }
        let quantiles = try #require(total["quantiles"] as? [[String: Any]])
        #expect(quantiles.map { $0["level"] as? Double } == [0.5, 0.9, 0.99, 0.999])
        for q in quantiles {
            let ci = try #require(q["ci95"] as? [Any])
            #expect(ci.count == 2)
            #expect(q["loss"] is Double || q["loss"] is Int)
        }
        let shortfall = try #require(total["expected_shortfall"] as? [[String: Any]])
        #expect(shortfall.count == 4)
        #expect(shortfall.allSatisfy { $0["standard_error"] != nil && $0["loss"] != nil && $0["level"] != nil })
        let operators = try #require(object["operators"] as? [[String: Any]])
        #expect(operators.map { $0["id"] as? String } == ["op-a", "op-b"])
        #expect(operators.allSatisfy { $0["expected_loss"] != nil && $0["probability_of_slash"] != nil })
        // op-a loses 32000·(0.4·0.5 + 0.6·1) = 25600 when slashed.
        #expect(operators[0]["loss_if_slashed"] as? Double == 25600 || operators[0]["loss_if_slashed"] as? Int == 25600)
    }

    @Test func sameReportWhateverTheThreadCount() throws {
        let file = try writeScenario()
        func numbers(_ threads: Int) throws -> String {
            let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--threads", "\(threads)", "--trials", "70001"])
            #expect(outcome.status == 0)
            return outcome.stdout.split(separator: "\n")
                .filter { !$0.contains("\"elapsed_seconds\"") && !$0.contains("\"threads\"") }.joined(separator: "\n")
        }
        let one = try numbers(1)
        #expect(try numbers(2) == one)
        #expect(try numbers(7) == one)
    }

    /// `--arithmetic single` (and `simulation: {precision: single}`): the same report as double, plus how the
    /// float multiply's decisions were checked.
    @Test func singlePrecisionGivesTheSameReport() throws {
        let file = try writeScenario()
        func report(_ flags: [String]) throws -> [String: Any] {
            let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--trials", "30001"] + flags)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            var json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            json["elapsed_seconds"] = nil
            return json
        }
        var single = try report(["--arithmetic", "single"])
        let double = try report([])
        #expect(single["precision"] as? String == "single" && double["precision"] as? String == "double")
        let checks = try #require(single["single_precision"] as? [String: Int])
        #expect(checks["latents"] == 2 * 30001 && checks["corrected"] == 0)
        #expect(double["single_precision"] == nil)
        single["precision"] = "double"
        single["single_precision"] = nil
        let canonical = { (json: [String: Any]) in try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) }
        #expect(try canonical(single) == canonical(double))
        let inFile = try writeScenario(Self.scenario.replacingOccurrences(of: "seed: 42,", with: "seed: 42, precision: single,"), name: "single.yaml")
        let fromFile = try SlashsimBinary.run(["run", inFile.path, "--format", "json", "--trials", "1000"])
        #expect(fromFile.stdout.contains("\"precision\" : \"single\""), "\(fromFile.stdout.prefix(400))")
    }

    /// Provenance: `--version`, and every report's version, CPU and the SHA-256 of the scenario as read (what
    /// `sha256sum` prints), for a file and for the bundled default.
    @Test func reportsCarryVersionCPUAndScenarioDigest() throws {
        let version = try SlashsimBinary.run(["--version"])
        #expect(version.status == 0 && version.stdout == "\(Provenance.version)\n")
        let file = try writeScenario()
        let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--trials", "1000"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(json["slashsim_version"] as? String == Provenance.version)
        #expect((json["cpu"] as? String)?.isEmpty == false)
        #expect(json["scenario_sha256"] as? String == SHA256.hex(try Data(contentsOf: file)))
        let bundled = try SlashsimBinary.run(["run", "--format", "json", "--trials", "1000", "--quiet"])
        let bundledJSON = try #require(try JSONSerialization.jsonObject(with: Data(bundled.stdout.utf8)) as? [String: Any])
        let defaultFile = SlashsimBinary.packageRoot.appendingPathComponent("Scenarios/default.yaml")
        #expect(bundledJSON["scenario_sha256"] as? String == SHA256.hex(try Data(contentsOf: defaultFile)))
        let text = try SlashsimBinary.run(["run", file.path, "--trials", "1000"])
        #expect(text.stdout.contains("slashsim \(Provenance.version) · scenario SHA-256 \(SHA256.hex(try Data(contentsOf: file)))"))
    }

    /// Shell completions (scripts/install-manual-and-completions.sh installs them) know every subcommand and flag.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsCoverTheCommands(shell: String) throws {
        let outcome = try SlashsimBinary.run(["--generate-completion-script", shell])
        #expect(outcome.status == 0)
        for word in ["run", "validate", "sweep", "merge", "arithmetic", "zip", "stress"] {
            #expect(outcome.stdout.contains(word), "\(shell): \(word)")
        }
    }

    /// `--precision P`: the fewest trials, doubling from 16 batches up to the cap, whose every VaR interval
    /// half-width and ES standard error is within P of its estimate; the report is the fixed run of those trials.
    @Test func precisionTargetFindsTheTrials() throws {
        let file = try writeScenario()
        func json(_ flags: [String]) throws -> [String: Any] {
            let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--quantiles", "0.99"] + flags)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        }
        let found = try json(["--precision", "5%", "--trials", "1e6"])
        let target = try #require(found["precision_target"] as? [String: Any])
        let trials = try #require(target["trials"] as? Int)
        #expect(target["met"] as? Bool == true && target["relative"] as? Double == 0.05)
        #expect((target["checks"] as? [Int])?.last == trials && (target["checks"] as? [Int])?.first == 16 * 1024)
        #expect(found["trials"] as? Int == trials && trials < 1_000_000)
        // Met: the ES standard error is within 5 % of the ES; and the same trials run plainly give the same report.
        let total = try #require(found["total"] as? [String: Any])
        let es = try #require((total["expected_shortfall"] as? [[String: Any]])?.first)
        #expect((es["standard_error"] as! Double) <= 0.05 * (es["loss"] as! Double))
        let fixed = try json(["--trials", "\(trials)"])
        #expect((fixed["total"] as? NSDictionary) == (total as NSDictionary))
        // A precision the cap cannot reach: the report says so, with a warning.
        let capped = try SlashsimBinary.run(["run", file.path, "--format", "json", "--precision", "0.001", "--trials", "40000"])
        #expect(capped.status == 0 && capped.stderr.contains("warning: --precision 0.1 % was not met at the cap of 40000 trials."))
        let cappedTarget = try #require((try JSONSerialization.jsonObject(with: Data(capped.stdout.utf8)) as? [String: Any])?["precision_target"] as? [String: Any])
        #expect(cappedTarget["met"] as? Bool == false && cappedTarget["trials"] as? Int == 40000)
        #expect(cappedTarget["checks"] as? [Int] == [16384, 32768, 40000])
        for bad in [["--precision", "0"], ["--precision", "150%"], ["--precision", "1%", "--stress", "s.yaml"]] {
            let refused = try SlashsimBinary.run(["run", file.path] + bad)
            #expect(refused.status == 64, "\(bad)")
        }
    }

    @Test func csvHasOneRowPerStatistic() throws {
        let file = try writeScenario()
        let outcome = try SlashsimBinary.run(["run", file.path, "--format", "csv", "--quantiles", "0.99,0.999"])
        #expect(outcome.status == 0)
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "scope,id,statistic,level,value,standard_error,ci95_lower,ci95_upper")
        // run: 3, total: 4 + 2 VaR + 2 ES, operators: 2 × (2 + 2 ES contributions), services: 2 × (1 + 2 ES contributions).
        #expect(lines.count == 1 + 3 + 4 + 2 + 2 + 2 * 4 + 2 * 3)
        #expect(lines.contains { $0.hasPrefix("service,bridge-avs,es_contribution,0.999,") })
        #expect(lines.contains { $0.hasPrefix("total,total,var,0.99,") })
        #expect(lines.contains { $0.hasPrefix("operator,op-b,probability_of_slash,,") })
    }

    @Test func outputFileIsWrittenWholeAndStdoutStaysEmpty() throws {
        let file = try writeScenario()
        let output = file.deletingLastPathComponent().appendingPathComponent("report.json")
        let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--output", output.path])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.isEmpty)
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written.hasPrefix("{") && written.hasSuffix("}\n"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(leftovers.sorted() == ["report.json", "two.yaml"])
    }

    @Test func anExistingOutputFileIsReplacedWhole() throws {
        let file = try writeScenario()
        let output = file.deletingLastPathComponent().appendingPathComponent("report.json")
        for trials in ["20000", "30000"] {
            let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--trials", trials, "--output", output.path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written.contains("\"trials\" : 30000"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(leftovers.sorted() == ["report.json", "two.yaml"])
    }

    @Test func jsonScenarioFilesRun() throws {
        let json = """
            {"operators": [{"id": "a", "stake": 100, "fault_probability": 0.5}],
             "services": [{"id": "s", "slash_fraction": 1}],
             "allocations": [{"operator": "a", "service": "s", "magnitude": 1}]}
            """
        let file = try writeScenario(json, name: "one.json")
        let outcome = try SlashsimBinary.run(["run", file.path, "--trials", "10000", "--format", "json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("\"scenario\" : \"one\""))
    }

    // MARK: Failures: exit code, one readable message, nothing on stdout

    @Test func missingScenarioFileExits66() throws {
        let outcome = try SlashsimBinary.run(["run", "/nonexistent/s.yaml"])
        #expect(outcome.status == 66)
        #expect(outcome.stderr == "error: /nonexistent/s.yaml: no such file. Fix: check the path; `slashsim run` without a file runs the bundled default scenario\n")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func invalidScenarioExits65WithEveryProblem() throws {
        let bad = Self.scenario.replacingOccurrences(of: "fault_probability: 0.02", with: "fault_probability: 1.5")
            .replacingOccurrences(of: "operator: op-b", with: "operator: op-q")
        let file = try writeScenario(bad)
        for command in ["run", "validate"] {
            let outcome = try SlashsimBinary.run([command, file.path])
            #expect(outcome.status == 65)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr == """
                error: \(file.path):5:49: operators[1].fault_probability: the fault probability 1.5 is outside [0, 1]. Fix: give the probability of a fault over the horizon, between 0 and 1
                error: \(file.path):12:16: allocations[2].operator: unknown operator "op-q". Fix: did you mean "op-a"? name an operator listed under `operators`
                2 problems found.

                """)
        }
    }

    @Test(arguments: [
        (["--trials", "0"], "error: --trials 0 is outside 1...1000000000000. Fix: give a positive number of trials, e.g. --trials 1000000"),
        (["--trials", "many"], "error: The value 'many' is invalid for '--trials <N>'"),
        (["--quantiles", "0.5,1.5"], "error: --quantiles level 1.5 is outside (0, 1). Fix: give levels strictly between 0 and 1, e.g. --quantiles 0.99,0.999"),
        (["--quantiles", "0.5,,0.9"], "error: The value '0.5,,0.9' is invalid for '--quantiles <LEVELS>'"),
        (["--threads", "0"], "error: --threads 0 is outside 1...1024."),
        (["--format", "xml"], "error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'text', 'json' or 'csv'."),
        (["--seed=-3"], "error: The value '-3' is invalid for '--seed <S>'"),
        (["--trials", "1.5"], "error: The value '1.5' is invalid for '--trials <N>'"),
        (["--threads", "5000"], "error: --threads 5000 is outside 1...1024."),
        (["--max-seconds", "0"], "error: --max-seconds 0.0 is not a positive number of seconds. Fix: give a time limit such as --max-seconds 600"),
        (["--max-seconds", "soon"], "error: The value 'soon' is invalid for '--max-seconds <SECONDS>'"),
        (["--arithmetic", "float"], "error: The value 'float' is invalid for '--arithmetic <A>'"),
        (["--frobnicate"], "error: Unknown option '--frobnicate'"),
        (["a.yaml", "b.yaml"], "error: Unexpected argument 'b.yaml'"),
    ])
    func badFlagsExit64(flags: [String], message: String) throws {
        let outcome = try SlashsimBinary.run(["run"] + flags)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.hasPrefix(message), "\(outcome.stderr)")
        // One line, with a fix, like every other error (no usage block).
        #expect(outcome.stderr.split(separator: "\n").count == 1 && outcome.stderr.contains(". Fix: "), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func trialCountsAcceptExponentsAndSeparators() throws {
        let file = try writeScenario()
        let outcome = try SlashsimBinary.run(["run", file.path, "--trials", "2e4", "--format", "json"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("\"trials\" : 20000"))
        let underscored = try SlashsimBinary.run(["run", file.path, "--trials", "20_000", "--format", "json"])
        #expect(underscored.stdout.contains("\"trials\" : 20000"))
    }

    @Test func runsTooLargeForMemoryExit65BeforeSimulating() throws {
        let outcome = try SlashsimBinary.run(["run", "--trials", "1000000000000"])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.hasPrefix("error: --trials 1000000000000 needs up to "))
        #expect(outcome.stderr.contains("Fix: lower --trials to about"))
    }

    @Test func unwritableOutputExits73BeforeSimulating() throws {
        let outcome = try SlashsimBinary.run(["run", "--output", "/nonexistent/folder/report.txt"])
        #expect(outcome.status == 73)
        #expect(outcome.stderr == "error: --output /nonexistent/folder/report.txt: the folder /nonexistent/folder does not exist. Fix: create it or write elsewhere\n")
    }

    /// `--memory bounded` reports the same VaR and intervals as the in-memory run, and says nothing else differs
    /// beyond the order of additions.
    @Test func boundedMemoryReportsTheSameQuantiles() throws {
        let file = try writeScenario()
        func report(_ extra: [String]) throws -> [String: Any] {
            let outcome = try SlashsimBinary.run(["run", file.path, "--format", "json", "--trials", "200000"] + extra)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        }
        let memory = try report([]), bounded = try report(["--memory", "bounded"])
        let a = try #require(memory["total"] as? [String: Any]), b = try #require(bounded["total"] as? [String: Any])
        #expect((a["quantiles"] as? NSArray) == (b["quantiles"] as? NSArray))
        #expect(a["probability_of_loss"] as? Double == b["probability_of_loss"] as? Double)
        let esA = try #require(a["expected_shortfall"] as? [[String: Any]]), esB = try #require(b["expected_shortfall"] as? [[String: Any]])
        for (x, y) in zip(esA, esB) {
            let u = try #require(x["loss"] as? Double), v = try #require(y["loss"] as? Double)
            #expect(abs(u - v) <= 1e-11 * max(1, u))
        }
        let wrong = try SlashsimBinary.run(["run", file.path, "--memory", "disk"])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("--memory"))
    }

    /// `--plot` writes a well-formed SVG (parsed as XML) with one curve per scenario and the contributors;
    /// `.html` wraps it; `--distribution` writes the exceedance CSV; a bad folder fails before simulating.
    @Test func plotAndDistributionFiles() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = Self.scenario.replacingOccurrences(of: "name: Two AVSs sharing operators", with: "name: \"Two <AVSs> & 'quotes'\"")
        try Data(base.utf8).write(to: folder.appendingPathComponent("two.yaml"))
        try Data("format: 1\nfault_probability_scale: 2\n".utf8).write(to: folder.appendingPathComponent("double.yaml"))
        let outcome = try SlashsimBinary.run(["run", "two.yaml", "--stress", "double.yaml", "--trials", "20000", "--plot", "plot.svg",
                                              "--distribution", "dist.csv"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let svg = try Data(contentsOf: folder.appendingPathComponent("plot.svg"))
        let counter = ElementCounter()
        let parser = XMLParser(data: svg)
        parser.delegate = counter
        #expect(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(counter.counts["svg"] == 1 && counter.counts["polyline"] == 2)
        #expect((counter.counts["rect"] ?? 0) > 3)  // background, frame, bars
        #expect(counter.text.contains("Two <AVSs> & 'quotes'"))
        let csv = try String(contentsOf: folder.appendingPathComponent("dist.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("scenario,scope,id,kind,loss,exceedance_probability,probability_at_least,standard_error\nbase,total,total,grid,0,"))
        #expect(csv.contains("\ndouble,total,total,tail,"))
        let html = try SlashsimBinary.run(["run", "two.yaml", "--trials", "5000", "--plot", "plot.html"], in: folder)
        #expect(html.status == 0)
        let page = try String(contentsOf: folder.appendingPathComponent("plot.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<svg ") && !page.contains("<?xml"))
        let bad = try SlashsimBinary.run(["run", "two.yaml", "--plot", "/nonexistent/folder/p.svg"], in: folder)
        #expect(bad.status == 73)
        #expect(bad.stderr == "error: --plot /nonexistent/folder/p.svg: the folder /nonexistent/folder does not exist. Fix: create it or write elsewhere\n")
    }

    /// `--report FILE.html`: one self-contained page (parsed as XML here; rendered in Chromium by
    /// scripts/check_html_report.py) with every section, one curve per scenario in each plot, the escaped name,
    /// the digest and the totals of the JSON report; `merge --report` writes the merged run's page; `--shard`
    /// refuses it with the fix; a bad folder fails before simulating.
    @Test func htmlReport() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = Self.scenario.replacingOccurrences(of: "name: Two AVSs sharing operators", with: "name: \"Two <AVSs> & 'quotes'\"")
        try Data(base.utf8).write(to: folder.appendingPathComponent("two.yaml"))
        try Data("format: 1\nfault_probability_scale: 2\n".utf8).write(to: folder.appendingPathComponent("double.yaml"))
        let outcome = try SlashsimBinary.run(["run", "two.yaml", "--stress", "double.yaml", "--trials", "20000", "--report", "r.html",
                                              "--format", "json", "--output", "r.json"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let page = try Data(contentsOf: folder.appendingPathComponent("r.html"))
        let counter = ElementCounter()
        let parser = XMLParser(data: page)
        parser.delegate = counter
        #expect(parser.parse(), "the page is not well-formed: \(String(describing: parser.parserError))")
        #expect(counter.counts["section"] == 3)  // total, contributors, stresses (no tokens or portfolios here)
        #expect(counter.counts["figure"] == 1 && counter.counts["svg"] == 1 && counter.counts["polyline"] == 2)
        #expect(counter.counts["script"] == nil && counter.counts["link"] == nil && counter.counts["img"] == nil)
        #expect(counter.text.contains("Two <AVSs> & 'quotes'"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("r.json"))) as? [String: Any])
        let report = try #require(json["base"] as? [String: Any]), total = try #require(report["total"] as? [String: Any])
        let digest = try #require(report["scenario_sha256"] as? String), mean = try #require(total["mean"] as? Double)
        #expect(counter.text.contains(digest))
        #expect(counter.text.contains(TextFormat.eth(mean)))
        #expect(counter.text.contains("double") && counter.text.contains("--report r.html"))

        let shard = try SlashsimBinary.run(["run", "two.yaml", "--trials", "4096", "--shard", "0/2", "--output", "p0.slashsim", "--report", "x.html"], in: folder)
        #expect(shard.status == 64)
        #expect(shard.stderr.contains("--shard cannot be combined with --report. Fix: give --report to `slashsim merge`"))
        for i in 0..<2 {
            let part = try SlashsimBinary.run(["run", "two.yaml", "--trials", "4096", "--shard", "\(i)/2", "--output", "p\(i).slashsim"], in: folder)
            #expect(part.status == 0, "\(part.stderr)")
        }
        let merged = try SlashsimBinary.run(["merge", "p0.slashsim", "p1.slashsim", "--report", "m.html"], in: folder)
        #expect(merged.status == 0, "\(merged.stderr)")
        let mergedPage = try String(contentsOf: folder.appendingPathComponent("m.html"), encoding: .utf8)
        #expect(mergedPage.contains("<section id=\"total\">") && mergedPage.contains("4,096"))
        let bad = try SlashsimBinary.run(["run", "two.yaml", "--report", "/nonexistent/folder/r.html"], in: folder)
        #expect(bad.status == 73)
        #expect(bad.stderr == "error: --report /nonexistent/folder/r.html: the folder /nonexistent/folder does not exist. Fix: create it or write elsewhere\n")
    }

    /// `slashsim sweep`: one row per grid value; each point is exactly the run of the scenario with that value
    /// (same seed: common random numbers); bad paths, grids and values get clear errors.
    @Test func sweepRunsTheGridOnCommonRandomNumbers() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = Fixtures.threeOperatorScenario
        try Data(base.utf8).write(to: folder.appendingPathComponent("three.yaml"))
        try Data(base.replacingOccurrences(of: "correlation: {constant: 0.2}", with: "correlation: {constant: 0.4}").utf8)
            .write(to: folder.appendingPathComponent("rho4.yaml"))
        let text = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2:0.6:0.2", "--trials", "20000", "--plot", "s.svg"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        let rows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("  0.") }
        #expect(rows.map { $0.split(separator: " ").first } == ["0.2", "0.4", "0.6"])
        let svg = try Data(contentsOf: folder.appendingPathComponent("s.svg"))
        #expect(XMLParser(data: svg).parse())
        // The same parameter twice is refused by name (never silently dropped).
        let twice = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2,0.4", "--set", "correlation.constant=0.1"], in: folder)
        #expect(twice.status == 64)
        #expect(twice.stderr.hasPrefix("error: --set correlation.constant is given twice. Fix: give each parameter once, with all its values"))
        let none = try SlashsimBinary.run(["sweep", "three.yaml"], in: folder)
        #expect(none.status == 64)
        // A .html plot is a page around the SVG, as for `run` and `merge`.
        let page = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2,0.4", "--trials", "5000", "--plot", "s.html"], in: folder)
        #expect(page.status == 0, "\(page.stderr)")
        let html = try String(contentsOf: folder.appendingPathComponent("s.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg ") && !html.contains("<?xml"))
        let json = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2,0.4", "--trials", "20000", "--format", "json"], in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let points = try #require(object["points"] as? [[String: Any]])
        #expect(points.map { $0["value"] as? Double } == [0.2, 0.4])
        let swept = try #require((points[1]["report"] as? [String: Any])?["total"] as? NSDictionary)
        let direct = try SlashsimBinary.run(["run", "rho4.yaml", "--trials", "20000", "--format", "json", "--no-contributions"], in: folder)
        let single = try #require((try JSONSerialization.jsonObject(with: Data(direct.stdout.utf8)) as? [String: Any])?["total"] as? NSDictionary)
        #expect(swept == single)

        let missing = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.factors[0]=0.1,0.2"], in: folder)
        #expect(missing.status == 65)
        #expect(missing.stderr == "error: three.yaml: correlation.factors[0]: the scenario has no `correlation.factors`. Fix: name a value that exists in the scenario, e.g. correlation.constant or operators[*].fault_probability\n")
        let badGrid = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.6:0.2:0.1"], in: folder)
        #expect(badGrid.status == 64)
        #expect(badGrid.stderr.contains("is not START:STOP:STEP (STOP ≥ START, STEP > 0) or a list of numbers"))
        let badValue = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.5,1.5"], in: folder)
        #expect(badValue.status == 65)
        #expect(badValue.stderr.hasPrefix("error: three.yaml with correlation.constant=1.5:"))
    }

    /// Several `--set`: every combination (the first slowest), or with `--zip` side by side; each point is
    /// exactly the run of the scenario with those values; mismatched zips, crossed plots and ids are refused.
    @Test func sweepCrossesOrZipsSeveralParameters() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = Fixtures.threeOperatorScenario
        try Data(base.utf8).write(to: folder.appendingPathComponent("three.yaml"))
        try Data(base.replacingOccurrences(of: "correlation: {constant: 0.2}", with: "correlation: {constant: 0.4}")
            .replacingOccurrences(of: "fault_probability: 0.01", with: "fault_probability: 0.05").utf8)
            .write(to: folder.appendingPathComponent("point.yaml"))
        let sets = ["--set", "correlation.constant=0.2,0.4", "--set", "operators[0].fault_probability=0.01,0.03,0.05"]
        let grid = try SlashsimBinary.run(["sweep", "three.yaml"] + sets + ["--trials", "20000", "--format", "json"], in: folder)
        #expect(grid.status == 0, "\(grid.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(grid.stdout.utf8)) as? [String: Any])
        #expect(object["parameters"] as? [String] == ["correlation.constant", "operators[0].fault_probability"])
        #expect(object["zipped"] as? Bool == false && object["parameter"] == nil)
        let points = try #require(object["points"] as? [[String: Any]])
        #expect(points.map { $0["values"] as? [Double] } == [[0.2, 0.01], [0.2, 0.03], [0.2, 0.05], [0.4, 0.01], [0.4, 0.03], [0.4, 0.05]])
        let swept = try #require((points[5]["report"] as? [String: Any])?["total"] as? NSDictionary)
        let direct = try SlashsimBinary.run(["run", "point.yaml", "--trials", "20000", "--format", "json", "--no-contributions"], in: folder)
        let single = try #require((try JSONSerialization.jsonObject(with: Data(direct.stdout.utf8)) as? [String: Any])?["total"] as? NSDictionary)
        #expect(swept == single)
        let csv = try SlashsimBinary.run(["sweep", "three.yaml"] + sets + ["--trials", "2000", "--format", "csv"], in: folder)
        #expect(csv.stdout.hasPrefix("correlation.constant,operators[0].fault_probability,scope,id,statistic,"))
        let zipped = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2,0.4", "--set", "operators[0].fault_probability=0.01,0.05",
                                             "--zip", "--trials", "2000", "--format", "json", "--plot", "z.svg"], in: folder)
        #expect(zipped.status == 0, "\(zipped.stderr)")
        let zobject = try #require(try JSONSerialization.jsonObject(with: Data(zipped.stdout.utf8)) as? [String: Any])
        #expect((zobject["points"] as? [[String: Any]])?.map { $0["values"] as? [Double] } == [[0.2, 0.01], [0.4, 0.05]])
        let mismatched = try SlashsimBinary.run(["sweep", "three.yaml"] + sets + ["--zip"], in: folder)
        #expect(mismatched.status == 64)
        #expect(mismatched.stderr.contains("--zip pairs grids of one length, but correlation.constant has 2 values and operators[0].fault_probability has 3."))
        let crossedPlot = try SlashsimBinary.run(["sweep", "three.yaml"] + sets + ["--plot", "x.svg"], in: folder)
        #expect(crossedPlot.status == 64 && crossedPlot.stderr.contains("--plot draws one parameter, but the sweep crosses 2."))
        let noID = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2", "--statistic", "p-liquidation"], in: folder)
        #expect(noID.status == 64 && noID.stderr.contains("--statistic p-liquidation needs --of ID."))
        let unknown = try SlashsimBinary.run(["sweep", "three.yaml", "--set", "correlation.constant=0.2", "--statistic", "portfolio-es", "--of", "loop"], in: folder)
        #expect(unknown.status == 64 && unknown.stderr.contains("--of loop: the scenario has no portfolio \"loop\"."))
    }

    /// The sweep table carries the portfolios' probabilities of liquidation and ES; `--statistic p-liquidation
    /// --of ID` plots one.
    @Test func sweepTableShowsPortfolios() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Fixtures.restakingScenario.utf8).write(to: folder.appendingPathComponent("r.yaml"))
        let text = try SlashsimBinary.run(["sweep", "r.yaml", "--set", "operators[*].fault_probability=0.01,0.05", "--trials", "20000",
                                           "--statistic", "p-liquidation", "--of", "loop", "--plot", "p.svg"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("P(liq) loop"))
        let svg = try String(contentsOf: folder.appendingPathComponent("p.svg"), encoding: .utf8)
        #expect(svg.contains("P(liquidation) of loop"))
    }
}



/// Counts the elements of an XML document and collects its text.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var text = ""
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[elementName, default: 0] += 1
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}