import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Synchronization

/// A one-line progress display on standard error: trials done, rate and time left, redrawn a few
/// times a second from its own thread while the workers run.
final class ProgressLine: Sendable {
    private let totalTrials: Int
    private let operators: Int
    private let done = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let startDate = Date()

    init(totalTrials: Int, operators: Int) {
        self.totalTrials = totalTrials
        self.operators = operators
    }

    func update(_ trialsDone: Int) {
        done.store(trialsDone, ordering: .relaxed)
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
        let n = done.load(ordering: .relaxed)
        let elapsed = Date().timeIntervalSince(startDate)
        let rate = elapsed > 0 ? Double(n) / elapsed : 0
        let percent = Double(n) / Double(totalTrials) * 100
        let eta = rate > 0 ? "ETA \(Int((Double(totalTrials - n) / rate).rounded(.up))) s" : "ETA …"
        StandardError.write("\r\u{1B}[2K" + String(format: "%5.1f %%", percent)
            + "  \(TextFormat.count(n)) / \(TextFormat.count(totalTrials)) trials · \(TextFormat.rate(rate)) trials/s · \(eta)")
    }
}
