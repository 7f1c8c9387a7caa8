import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
@testable import slashsim
import Testing
import TestSupport

/// `validate --precision P`: the trials predicted from a pilot, against closed forms and against what
/// `run --precision` finds.
@Suite struct PrecisionPredictionTests {
    /// A pilot that is exactly Exp(1) (its losses at the mid-point quantiles): VaR_q = −ln(1 − q), the
    /// density there is 1 − q, so the 95 % interval's half-width at n trials is about
    /// 1.96·√(q(1 − q)/n)/(1 − q), within 5 % of VaR from n ≥ (1.96/(0.05·VaR))²·q/(1 − q) = 7,170 at 99 %;
    /// the ES standard error √(2/((1 − q)n)) is within 5 % of ES = VaR + 1 from n = 2,545. On the doubling
    /// schedule from 4,096: 8,192 trials, limited by VaR. With P = 2 %: n ≥ 44,813 → 65,536.
    @Test func exponentialPilotPredictsTheClosedForm() {
        let n0 = 4096
        let pilot = LossSample(allLosses: (1...n0).map { -log(1 - (Double($0) - 0.5) / Double(n0)) })
        let five = PrecisionPrediction.predict(pilot: pilot, levels: [0.99], relative: 0.05, secondsPerTrial: 1e-6)
        #expect(five.predictedTrials == 8192 && five.limitingStatistic == "VaR 99 %" && five.resolved, "\(five)")
        let two = PrecisionPrediction.predict(pilot: pilot, levels: [0.99], relative: 0.02, secondsPerTrial: 1e-6)
        #expect(two.predictedTrials == 65_536 && two.limitingStatistic == "VaR 99 %", "\(two)")
        #expect(two.suggestedCap == 131_072 && abs(two.estimatedSeconds - 0.065536) < 1e-12)
        // Only ES asked for: √(2/(0.01·n)) ≤ 0.05·5.605 from n = 2,545, so the pilot already meets it.
        let loose = PrecisionPrediction.predict(pilot: pilot, levels: [], relative: 0.05, secondsPerTrial: 1e-6)
        #expect(loose.predictedTrials == n0 && loose.limitingStatistic.hasPrefix("none"))
    }

    /// A level the pilot cannot bound (fewer than 10 trials beyond 99.99 % of 4,096) gets the 100-trials-beyond
    /// floor and is marked uncertain with the reason.
    @Test func unboundedLevelIsALowerBound() {
        let pilot = LossSample(allLosses: (1...4096).map { -log(1 - (Double($0) - 0.5) / 4096) })
        let p = PrecisionPrediction.predict(pilot: pilot, levels: [0.9999], relative: 0.05, secondsPerTrial: 1e-6)
        #expect(!p.resolved && p.note?.contains("too few pilot trials beyond VaR 99.99 %") == true, "\(p)")
        #expect(p.predictedTrials >= 1_000_000)
    }

    /// A pilot cut by its time budget (here next to nothing: the first 16 batches, 16,384 trials, about 16 beyond
    /// 99.9 %) is marked unresolved and says why; with room for 20 trials beyond, the same model is resolved.
    @Test func pilotCutByItsBudgetSaysSo() throws {
        let scenario = try ScenarioLoader.decode(data: Data(Fixtures.threeOperatorScenario.utf8), file: "case.yaml", format: .yaml)
        let model = try CompiledModel(scenario: scenario)
        let cut = PrecisionPrediction.predict(model: model, levels: [0.999], seed: 7, threads: 1, relative: 0.5,
                                              secondsPerTrial: 1, budgetSeconds: 1e-9)
        #expect(cut.pilotTrials == PrecisionSearch.firstBatches * RunLimits.batchSize && !cut.resolved, "\(cut)")
        #expect(cut.note?.contains("the pilot stopped at \(TextFormat.count(cut.pilotTrials)) trials") == true
                && cut.note?.contains("with about \(Int((Double(cut.pilotTrials) * 1e-3).rounded())) beyond VaR 99.9 % of the 20 wanted") == true, "\(cut)")
        let full = PrecisionPrediction.predict(model: model, levels: [0.99], seed: 7, threads: 1, relative: 0.5, secondsPerTrial: 1e-9)
        #expect(full.note?.contains("the pilot stopped") != true && full.pilotTrials >= 2000, "\(full)")
    }

    /// From the binary: the JSON summary carries the prediction, on `run --precision`'s schedule, and on a
    /// bundled scenario it is within a factor of two of the trials `run --precision` then finds.
    @Test func validatePredictsWhatRunFinds() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = root.appendingPathComponent("Scenarios/default.yaml").path
        let validate = try SlashsimBinary.run(["validate", scenario, "--precision", "5%", "--format", "json"])
        #expect(validate.status == 0, "\(validate.stderr)")
        let files = try #require((try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])
        let prediction = try #require((files.first?["summary"] as? [String: Any])?["precision"] as? [String: Any])
        let predicted = try #require(prediction["predicted_trials"] as? Int), cap = try #require(prediction["suggested_cap"] as? Int)
        #expect(predicted % (16 * 1024) == 0 && (predicted / (16 * 1024)).nonzeroBitCount == 1)
        #expect(cap >= 2 * predicted && prediction["relative"] as? Double == 0.05)
        // The pilot has a time budget: under a sanitizer it may stop short of 20 trials beyond 99.99 %, and says so.
        let resolved = try #require(prediction["resolved"] as? Bool)
        if !resolved {
            let note = prediction["note"] as? String ?? ""
            #expect(note.contains("the pilot stopped at") && note.contains("budget") && (prediction["pilot_trials"] as? Int ?? 0) < 200_000, "\(note)")
            return
        }
        let run = try SlashsimBinary.run(["run", scenario, "--precision", "5%", "--trials", "\(cap)", "--format", "json", "--no-contributions"])
        #expect(run.status == 0, "\(run.stderr)")
        let target = try #require((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["precision_target"] as? [String: Any])
        let found = try #require(target["trials"] as? Int)
        #expect(target["met"] as? Bool == true && found <= 2 * predicted && predicted <= 2 * found, "predicted \(predicted), found \(found)")
        // The text form of the same prediction. (Its numbers are not compared with the JSON call's: the pilot runs
        // for a time, not a trial count, so another process, slower under a sanitizer, may predict another power of two.)
        let text = try SlashsimBinary.run(["validate", scenario, "--precision", "5%"])
        #expect(text.stdout.contains("precision 5 %: about ") && text.stdout.contains(" trials (limited by ")
                && text.stdout.contains("`slashsim run \(scenario) --precision 5% --trials ") && text.stdout.contains("` finds them"), "\(text.stdout)")
        let bad = try SlashsimBinary.run(["validate", scenario, "--precision", "2"])
        #expect(bad.status == 64)
    }
}
