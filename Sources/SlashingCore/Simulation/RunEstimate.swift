/// What a run will cost, estimated before it starts: memory from `RunLimits.estimatedBytes`, time from
/// one timed batch of trials on one thread, scaled to the run (assuming linear scaling over threads).
public struct RunEstimate: Sendable {
    public let bytes: Double
    public let seconds: Double

    public static func measure(model: CompiledModel, trials: Int, threads: Int, seed: UInt64) -> RunEstimate {
        let pilot = min(trials, RunLimits.batchSize)
        let result = SimulationEngine(model: model).run(trials: pilot, seed: seed, threads: 1)
        let perTrial = result.elapsedSeconds / Double(pilot)
        return RunEstimate(bytes: RunLimits.estimatedBytes(model: model, trials: trials, threads: threads),
                           seconds: perTrial * Double(trials) / Double(max(1, threads)))
    }
}
