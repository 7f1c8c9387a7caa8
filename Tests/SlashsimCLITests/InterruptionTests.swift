import Foundation
import Testing

/// Stopping a run: SIGINT and SIGTERM leave no report file and exit 130/143 with one line on stderr;
/// --max-seconds writes a report labelled partial whose numbers are exactly those of a shorter run.
@Suite(.serialized) struct InterruptionTests {
    /// Starts `slashsim arguments…` in `folder`, sends `signal` after `delay` seconds, waits.
    func interrupt(_ arguments: [String], in folder: URL, signal: Int32, after delay: Double) throws -> (status: Int32, stderr: String) {
        let running = try SlashsimBinary.start(arguments, in: folder)
        Thread.sleep(forTimeInterval: delay)
        kill(running.process.processIdentifier, signal)
        return try running.finish()
    }

    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")])
    func signalStopsTheRunAndLeavesNoReport(signal: Int32, status: Int32, name: String) throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try interrupt(["run", "--trials", "1e9", "--output", "report.json", "--format", "json"],
                                    in: folder, signal: signal, after: 1.5)
        #expect(outcome.status == status)
        #expect(outcome.stderr == "slashsim: interrupted by \(name); stopped, no report was written\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "no report and no temporary file")
    }

    @Test func maxSecondsGivesALabelledPartialReportEqualToTheShorterRun() throws {
        let partial = try SlashsimBinary.run(["run", "--trials", "1e9", "--max-seconds", "1", "--format", "json"])
        #expect(partial.status == 75)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(partial.stdout.utf8)) as? [String: Any])
        #expect(object["partial"] as? Bool == true)
        #expect(object["trials_requested"] as? Int == 1_000_000_000)
        let done = try #require(object["trials"] as? Int)
        #expect(done > 0 && done < 1_000_000_000 && done % 1024 == 0)
        #expect(partial.stderr == "slashsim: stopped by --max-seconds after \(done) of 1000000000 trials; the report is labelled partial\n")

        // A partial run skips the contributions replay (it would break the time limit).
        let full = try SlashsimBinary.run(["run", "--trials", "\(done)", "--format", "json", "--no-contributions"])
        #expect(full.status == 0)
        let ignored = ["\"elapsed_seconds\"", "\"threads\"", "\"partial\"", "\"trials_requested\""]
        func numbers(_ json: String) -> [Substring] {
            json.split(separator: "\n").filter { line in !ignored.contains { line.contains($0) } }
        }
        #expect(numbers(partial.stdout) == numbers(full.stdout))
    }

    @Test func theSameRunTwiceGivesTheSameBytes() throws {
        let first = try SlashsimBinary.run(["run", "--trials", "30000", "--format", "json"])
        let second = try SlashsimBinary.run(["run", "--trials", "30000", "--format", "json"])
        let strip = { (s: String) in s.split(separator: "\n").filter { !$0.contains("\"elapsed_seconds\"") } }
        #expect(first.status == 0)
        #expect(strip(first.stdout) == strip(second.stdout))
    }
}
