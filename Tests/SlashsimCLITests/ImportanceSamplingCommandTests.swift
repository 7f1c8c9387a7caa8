import Foundation
import TestSupport
import Testing

/// `slashsim run --importance-sampling` end to end: the weighted report and its contract, and every refusal.
@Suite struct ImportanceSamplingCommandTests {
    @Test func factorScenarioReportsItsShiftAndWeightedStatistics() throws {
        let outcome = try SlashsimBinary.run(["run", "Scenarios/default-factors.yaml", "--importance-sampling", "--trials", "20000",
                                              "--format", "json", "--quiet"], in: SlashsimBinary.packageRoot)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let importance = try #require(object["importance_sampling"] as? [String: Any])
        #expect((importance["factors"] as? [String])?.first == "common")
        #expect((importance["shift"] as? [Double])?.count == 8)
        #expect(importance["target_level"] as? Double == 0.9999)
        #expect(importance["pilot_trials"] as? Int == 8192)
        // Far more of the 20,000 trials land beyond VaR 99.99 % than the 2 plain sampling would put there.
        #expect((importance["tail_trials"] as? Int).map { $0 > 200 } == true, "\(importance)")
        let total = try #require(object["total"] as? [String: Any])
        let quantiles = try #require(total["quantiles"] as? [[String: Any]])
        #expect(quantiles.count == 7)
        let text = try SlashsimBinary.run(["run", "Scenarios/default-factors.yaml", "--importance-sampling", "--trials", "20000", "--quiet"],
                                          in: SlashsimBinary.packageRoot)
        #expect(text.stdout.contains("Importance sampling: factors drawn shifted by μ = (common "))
        let csv = try SlashsimBinary.run(["run", "Scenarios/default-factors.yaml", "--importance-sampling", "--trials", "20000", "--format", "csv",
                                          "--quiet"], in: SlashsimBinary.packageRoot)
        #expect(csv.stdout.contains("\nimportance_sampling,common,shift,,-"), "\(csv.stdout.prefix(600))")
        #expect(csv.stdout.contains("\nimportance_sampling,,target_loss,0.9999,"))
        // A plain run has no importance_sampling key.
        let plain = try SlashsimBinary.run(["run", "Scenarios/default-factors.yaml", "--trials", "20000", "--format", "json", "--quiet"],
                                           in: SlashsimBinary.packageRoot)
        #expect(!plain.stdout.contains("importance_sampling"))
    }

    @Test func scenarioWithoutFactorsExits65NamingTheFile() throws {
        let outcome = try SlashsimBinary.run(["run", "Scenarios/default.yaml", "--importance-sampling", "--trials", "20000"],
                                             in: SlashsimBinary.packageRoot)
        #expect(outcome.status == 65)
        #expect(outcome.stderr.hasPrefix("error: Scenarios/default.yaml: correlation: importance sampling shifts the common factors, and this scenario's correlation (explicit 20×20 correlation matrix"),
                "\(outcome.stderr)")
        #expect(outcome.stderr.hasSuffix("Fix: write the correlation as `constant` (ρ > 0), `factors` or `derived`, or run without --importance-sampling\n"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func studentTCopulaExits65() throws {
        let outcome = try SlashsimBinary.run(["run", "Scenarios/cloud-outage.yaml", "--importance-sampling", "--trials", "20000"],
                                             in: SlashsimBinary.packageRoot)
        #expect(outcome.status == 65)
        #expect(outcome.stderr.hasPrefix("error: Scenarios/cloud-outage.yaml: copula: importance sampling shifts the Gaussian factors, but under the Student t copula"),
                "\(outcome.stderr)")
        // The fix is about the copula (the scenario already has factors).
        #expect(outcome.stderr.hasSuffix("Fix: run without --importance-sampling (plain sampling, with more trials), or with `copula: gaussian` if the Gaussian copula answers the question\n"))
    }

    /// `--shard` with a flag it cannot take: the fix names what does take it (merge has --plot and --distribution, no --stress).
    @Test func shardConflictsNameARealFix() throws {
        let stress = try SlashsimBinary.run(["run", "Scenarios/three-lrts.yaml", "--shard", "0/2", "--output", "/tmp/p.slashsim", "--stress", "Scenarios/stresses/avs-bug.yaml"],
                                            in: SlashsimBinary.packageRoot)
        #expect(stress.status == 64 && !stress.stderr.contains("slashsim merge") && stress.stderr.contains("Fix: shard the stressed scenarios one by one"))
        let plot = try SlashsimBinary.run(["run", "--shard", "0/2", "--output", "/tmp/p.slashsim", "--plot", "x.svg"])
        #expect(plot.status == 64 && plot.stderr.contains("Fix: give --plot to `slashsim merge`, which writes it for the whole run"))
    }

    @Test(arguments: [
        (["--memory", "bounded"], "error: --importance-sampling cannot be combined with --memory bounded: weighted samples are kept in memory."),
        (["--shard", "0/2", "--output", "/tmp/slashsim-is-part"], "error: --shard cannot be combined with --importance-sampling."),
    ])
    func conflictingFlagsExit64(flags: [String], message: String) throws {
        let outcome = try SlashsimBinary.run(["run", "Scenarios/default-factors.yaml", "--importance-sampling"] + flags,
                                             in: SlashsimBinary.packageRoot)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.hasPrefix(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}
