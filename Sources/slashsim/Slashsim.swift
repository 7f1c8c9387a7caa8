import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SlashingCore
import SlashingReports

/// `slashsim`: Monte Carlo of correlated slashing losses in Ethereum restaking.
@main
struct Slashsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slashsim",
        abstract: "Monte Carlo simulator of correlated slashing losses in Ethereum restaking.",
        discussion: """
            Exit codes: 0 success; 64 bad command-line usage; 65 invalid scenario or run settings; \
            66 scenario file missing or unreadable; 73 output file cannot be written; 75 partial result (--max-seconds); \
            130/143 interrupted by SIGINT/SIGTERM. SLASHSIM_KERNEL_LEVEL=generic|avx2|avx512 forces the kernels' \
            instruction set (default: the best this CPU has; every level gives the same numbers).
            """,
        version: Provenance.version,
        subcommands: [Run.self, Validate.self, Sweep.self, Merge.self, MeasureCeilings.self],
        defaultSubcommand: Run.self)

    /// Applies `SLASHSIM_KERNEL_LEVEL` before any command runs (exit 64 with a fix when it names no level
    /// this CPU has), then parses and runs the command. A command line that does not parse gets one line,
    /// `error: PROBLEM. Fix: …`, like every other error, and exit 64 (help and --version print as usual).
    /// Applies `SLASHSIM_KERNEL_LEVEL`; false after printing why it cannot. (A function of its own so that the
    /// refusal is released before the process exits: LeakSanitizer counts what is live at `exit` as leaked.)
    private static func applyKernelLevel() -> Bool {
        do {
            try KernelLevel.applyEnvironment(ProcessInfo.processInfo.environment)
            return true
        } catch {
            StandardError.write("error: \(error.description)\n")
            return false
        }
    }

    static func main() {
        // A file-size limit (ulimit -f, RLIMIT_FSIZE) would otherwise kill the process with SIGXFSZ in the middle
        // of a write; ignored, the write fails with EFBIG, which the writers report (exit 73).
        Glibc.signal(SIGXFSZ, SIG_IGN)
        if !applyKernelLevel() { Foundation.exit(ExitCodes.usage.rawValue) }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }  // --help, --version
            StandardError.write("error: \(usageMessage(for: error))\n")
            Foundation.exit(ExitCodes.usage.rawValue)
        }
        do {
            try command.run()
        } catch {
            StandardOutput.check()
            exit(withError: error)
        }
        StandardOutput.check()
    }

    /// One line for a command-line error: ArgumentParser's message, with a fix when it has none.
    static func usageMessage(for error: any Error) -> String {
        var text = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        if text.contains(" Fix: ") { return text }
        let subcommand = CommandLine.arguments.dropFirst().first { ["run", "validate", "sweep", "merge"].contains($0) } ?? "run"
        return (text.hasSuffix(".") ? String(text.dropLast()) : text) + ". Fix: see `slashsim \(subcommand) --help` for the options and their values"
    }
}
