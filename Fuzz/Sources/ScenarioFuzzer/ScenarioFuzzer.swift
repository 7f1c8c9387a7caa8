import FuzzSupport
import Foundation
import ScenarioFormat
import SlashingCore

/// libFuzzer entry point: any bytes, as YAML and as JSON, through the decoder, the validator and the
/// model compiler; a valid scenario is also simulated for a few trials. A crash or a hang is a bug.
func scenarioFuzzer(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    for format in [ScenarioSyntax.yaml, .json] {
        guard let scenario = try? ScenarioLoader.decode(data: data, file: "fuzz", format: format),
              let model = try? CompiledModel(scenario: scenario) else { continue }
        let result = SimulationEngine(model: model).run(trials: 64, seed: 1, threads: 1)
        _ = result.distribution.summarize(levels: scenario.simulation.quantiles)
    }
    return 0
}

@_cdecl("ScenarioFuzzer_main")
public func scenarioFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, scenarioFuzzer)
}
