@testable import slashsim
import Testing

/// The progress line names its phase and never shows 100 % while the contributions or statistics run.
@Suite struct ProgressLineTests {
    @Test func theLineNamesThePhase() {
        let simulating = ProgressLine.line(phase: .simulation, done: 250_000, total: 1_000_000, elapsed: 2, inPhase: 2)
        #expect(simulating == "simulation  25.0 %  250,000 / 1,000,000 trials · 125.0 k trials/s · ETA 6 s")
        let contributing = ProgressLine.line(phase: .contributions, done: 1_000_000, total: 1_000_000, elapsed: 9, inPhase: 3)
        #expect(contributing.hasPrefix("contributions: ") && contributing.contains("· 3 s") && !contributing.contains("%"))
        let summarizing = ProgressLine.line(phase: .statistics, done: 1_000_000, total: 1_000_000, elapsed: 10, inPhase: 1)
        #expect(summarizing.hasPrefix("statistics: ") && !summarizing.contains("%"))
        // Resumed from a checkpoint holding 200,000 trials: the rate counts this process's 50,000 only.
        let resumed = ProgressLine.line(phase: .simulation, done: 250_000, total: 1_000_000, elapsed: 2, inPhase: 2, resumedAt: 200_000)
        #expect(resumed == "simulation  25.0 %  250,000 / 1,000,000 trials · 25.0 k trials/s · ETA 30 s")
    }
}
