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
        #expect(outcome.stderr.hasPrefix("error: Scenarios/cloud-outage.yaml: correlation: importance sampling shifts the Gaussian factors, but under the Student t copula"),
                "\(outcome.stderr)")
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
