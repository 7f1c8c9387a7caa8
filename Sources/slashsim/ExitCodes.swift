import ArgumentParser

/// The process exit codes (documented in docs/commands.md and `slashsim --help`), after BSD sysexits.
enum ExitCodes {
    /// Bad flag or flag value (ArgumentParser's own validation code).
    static let usage = ExitCode(64)
    /// The scenario or the run settings are invalid.
    static let invalidScenario = ExitCode(65)
    /// The scenario file is missing or unreadable.
    static let noInput = ExitCode(66)
    /// The run stopped at --max-seconds; the report (labelled partial) was written.
    static let partialResult = ExitCode(75)
    /// The run was interrupted (SIGTERM, SIGINT) and its checkpoint written: the same command goes on from it.
    /// Not a failure of the job: run it again (EX_TEMPFAIL).
    static let checkpointed = ExitCode(75)
    /// The output file cannot be created or written.
    static let cannotCreateOutput = ExitCode(73)
}
