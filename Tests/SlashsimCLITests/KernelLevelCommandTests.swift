import Foundation
import SlashingCore
import Testing
import TestSupport

/// `SLASHSIM_KERNEL_LEVEL`: forces the kernels' instruction set for the process; the report says which ran,
/// and the numbers are the same on every level.
@Suite struct KernelLevelCommandTests {
    @Test func everyAvailableLevelGivesTheSameReport() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Fixtures.threeOperatorScenario.utf8).write(to: folder.appendingPathComponent("three.yaml"))
        var totals: [NSDictionary] = []
        for level in KernelLevel.available {
            let outcome = try SlashsimBinary.run(["run", "three.yaml", "--trials", "20000", "--format", "json"], in: folder,
                                                 environment: [KernelLevel.environmentVariable: level.name])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            #expect(report["kernel_level"] as? String == level.name)
            totals.append(try #require(report["total"] as? NSDictionary))
        }
        #expect(totals.allSatisfy { $0 == totals[0] })
    }

    @Test func unknownOrUnsupportedLevelsAreRefused() throws {
        let outcome = try SlashsimBinary.run(["validate", "x.yaml"], environment: [KernelLevel.environmentVariable: "sse9"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr == "error: SLASHSIM_KERNEL_LEVEL=sse9 is not a kernel level. Fix: set it to generic, avx2 or avx512, or unset it to use the best this CPU has (\(KernelLevel.best.name))\n")
        if KernelLevel.best < .avx512 {
            let above = try SlashsimBinary.run(["validate", "x.yaml"], environment: [KernelLevel.environmentVariable: "avx512"])
            #expect(above.status == 64)
            #expect(above.stderr.hasPrefix("error: SLASHSIM_KERNEL_LEVEL=avx512: this CPU supports kernels up to \(KernelLevel.best.name) only."))
        }
    }
}
