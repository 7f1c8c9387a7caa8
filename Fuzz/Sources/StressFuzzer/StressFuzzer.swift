import FuzzSupport
import Foundation
import ScenarioFormat
import SlashingCore

/// The base every stress input is applied to (three LRTs, the bundled stress scenarios' base).
let base: Scenario = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return try! ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/three-lrts.yaml").path)
}()

/// The stress file is read from a path (its `base:` and tables are relative to it): one file per process.
let file = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-fuzz-stress-\(getpid()).yaml")

/// A stress file applied to the base scenario: refused with diagnostics, or a stressed scenario.
func fuzzStress(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try! Data(bytes: data, count: size).write(to: file)
    do {
        let (_, stressed) = try StressLoader.load(path: file.path, base: base)
        _ = try? CompiledModel(scenario: stressed)
    } catch {
        precondition(!error.diagnostics.isEmpty && error.diagnostics.allSatisfy { !$0.problem.isEmpty && !$0.fix.isEmpty },
                     "a refusal without a message")
    }
    return 0
}

@_cdecl("StressFuzzer_main")
public func stressFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzStress)
}
