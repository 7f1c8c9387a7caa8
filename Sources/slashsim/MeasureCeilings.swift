import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// `slashsim measure-ceilings`: the machine's single-thread limits for the engine's kernels, as JSON
/// (used by Benchmarks/compare.py; hidden from the help).
struct MeasureCeilings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-ceilings",
        abstract: "Measure normals/s and the BLAS triangular multiply's GFLOP/s on one thread.",
        shouldDisplay: false)

    @Option(help: "Operator counts N for the N×N triangular multiply.")
    var operators: [Int] = [100, 1000, 2000]

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    func run() throws {
        var trmm: [String: Double] = [:]
        for n in operators {
            trmm[String(n)] = MachineCeilings.triangularMultiplyFlopsPerSecond(order: n, seconds: seconds)
        }
        let object: [String: Any] = [
            "blas": BLAS.implementation,
            "kernel_level": KernelLevel.current.name,
            "normals_per_second": MachineCeilings.normalsPerSecond(seconds: seconds),
            "trmm_flops_per_second": trmm,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
