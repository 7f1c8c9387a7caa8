import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Synchronization

/// A one-line progress display on standard error, redrawn a few times a second from its own thread: the phase
/// (simulation, then the contributions and the statistics after it), and during the simulation the trials done,
/// rate and time left. It never sits at 100 % while later phases run: they say what they are doing.
final class ProgressLine: Sendable {
    enum Phase: Int, Sendable {
        case simulation, contributions, statistics

        var name: String {
            switch self {
            case .simulation: return "simulation"
            case .contributions: return "contributions"
            case .statistics: return "statistics"
            }
        }
    }

    private let totalTrials: Int
    private let operators: Int
    private let done = Atomic<Int>(0)
    /// Trials done before this process started (a run resumed from a checkpoint): not counted in the rate.
    private let resumedAt = Atomic<Int>(0)
    private let phase = Atomic<Int>(Phase.simulation.rawValue)
    private let finished = Atomic<Bool>(false)
    private let startDate = Date()
    /// When the current phase began (seconds since the reference date, as bits): an atomic rather than a
    /// `Synchronization.Mutex`, whose state an optimised build read back wrong in `SignalGuard`.
    private let phaseStart = Atomic<UInt64>(Date().timeIntervalSinceReferenceDate.bitPattern)

    init(totalTrials: Int, operators: Int) {
        self.totalTrials = totalTrials
        self.operators = operators
    }

    func update(_ trialsDone: Int) {
        done.store(trialsDone, ordering: .relaxed)
    }

    /// The run goes on from a checkpoint holding `trialsDone` trials.
    func resume(at trialsDone: Int) {
        resumedAt.store(trialsDone, ordering: .relaxed)
        done.store(trialsDone, ordering: .relaxed)
    }

    /// Moves to a later phase (its clock starts now).
    func enter(_ next: Phase) {
        phaseStart.store(Date().timeIntervalSinceReferenceDate.bitPattern, ordering: .relaxed)
        phase.store(next.rawValue, ordering: .releasing)
    }

    func start() {
        Thread.detachNewThread { [self] in
            while !finished.load(ordering: .acquiring) {
                draw()
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }

    func finish() {
        finished.store(true, ordering: .releasing)
        StandardError.write("\r\u{1B}[2K")
    }

    private func draw() {
        let current = Phase(rawValue: phase.load(ordering: .acquiring)) ?? .simulation
        let now = Date()
        StandardError.write("\r\u{1B}[2K" + Self.line(phase: current, done: done.load(ordering: .relaxed), total: totalTrials,
                                                      elapsed: now.timeIntervalSince(startDate),
                                                      inPhase: now.timeIntervalSinceReferenceDate - Double(bitPattern: phaseStart.load(ordering: .relaxed)),
                                                      resumedAt: resumedAt.load(ordering: .relaxed)))
    }

    /// The text of the line: during the simulation, percent, trials, rate and time left; after it, the phase and
    /// how long it has run. `resumedAt`: the trials a checkpoint held, which the rate does not count.
    static func line(phase: Phase, done n: Int, total: Int, elapsed: Double, inPhase: Double, resumedAt: Int = 0) -> String {
        switch phase {
        case .simulation:
            let rate = elapsed > 0 ? Double(max(0, n - resumedAt)) / elapsed : 0
            let percent = total > 0 ? Double(n) / Double(total) * 100 : 0
            let eta = rate > 0 ? "ETA \(Int((Double(total - n) / rate).rounded(.up))) s" : "ETA …"
            return "simulation " + String(format: "%5.1f %%", percent)
                + "  \(TextFormat.count(n)) / \(TextFormat.count(total)) trials · \(TextFormat.rate(rate)) trials/s · \(eta)"
        case .contributions:
            return "contributions: each operator's and AVS's share of the tail, from the losing trials kept · \(String(format: "%.0f", inPhase)) s"
                + " (simulation done: \(TextFormat.count(n)) trials)"
        case .statistics:
            return "statistics: sorting the losses, quantiles and expected shortfall · \(String(format: "%.0f", inPhase)) s"
        }
    }
}
