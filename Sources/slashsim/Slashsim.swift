import ArgumentParser

/// `slashsim`: Monte Carlo of correlated slashing losses in Ethereum restaking.
@main
struct Slashsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slashsim",
        abstract: "Monte Carlo simulator of correlated slashing losses in Ethereum restaking.",
        discussion: """
            Exit codes: 0 success; 64 bad command-line usage; 65 invalid scenario or run settings; \
            66 scenario file missing or unreadable; 70 internal error; 73 output file cannot be written; 75 partial result (--max-seconds); 130/143 interrupted by SIGINT/SIGTERM.
            """,
        version: "0.1.0",
        subcommands: [Run.self, Validate.self, Sweep.self, Merge.self, MeasureCeilings.self],
        defaultSubcommand: Run.self)
}
