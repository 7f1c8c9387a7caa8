import Foundation
import Testing
import TestSupport

/// Full disks, file-size limits, I/O errors and concurrent writers on every output (issue 18): one line naming
/// the file and the cause, exit 73, no partial file and no temporary file left; two writers of one report leave
/// one complete report.
@Suite struct OutputFailureTests {
    static let scenario = Fixtures.twoOperatorScenario

    /// Runs `script` with /bin/sh in `folder`, `$SLASHSIM` naming the binary.
    static func shell(_ script: String, in folder: URL) throws -> SlashsimBinary.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(["SLASHSIM": SlashsimBinary.url.path]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return SlashsimBinary.Outcome(status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
    }

    static func folderWithScenario() throws -> URL {
        let folder = try SlashsimBinary.temporaryFolder()
        try Data(scenario.utf8).write(to: folder.appendingPathComponent("s.yaml"))
        return folder
    }

    /// The files left in `folder` besides the scenario.
    static func leftovers(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "s.yaml" }.sorted()
    }

    /// Whether the binary starts at all under a file-size limit: a ThreadSanitizer build does not (its runtime
    /// faults before `main`), so the `ulimit` tests run in the plain and AddressSanitizer runs of the suite.
    static let startsUnderFileSizeLimit: Bool = {
        let folder = try? SlashsimBinary.temporaryFolder()
        defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
        guard let folder, let outcome = try? shell("ulimit -f 400; exec \"$SLASHSIM\" --version", in: folder) else { return false }
        return outcome.status == 0
    }()

    /// A file-size limit (`ulimit -f`, 512-byte blocks in sh: 2 KiB here) on each output: EFBIG, not SIGXFSZ.
    @Test(.enabled(if: OutputFailureTests.startsUnderFileSizeLimit), arguments: [
        ("--output out.json --format json", "--output", "out.json"),
        ("--distribution out.csv --quiet", "--distribution", "out.csv"),
        ("--report out.html", "--report", "out.html"),
        ("--plot out.svg", "--plot", "out.svg"),
        ("--shard 0/2 --trials 40000 --output out.slashsim", "--output", "out.slashsim"),
        // A checkpoint every 10 ms: the first one after a few batches, some kilobytes of losses.
        ("--checkpoint out.ckpt --checkpoint-seconds 0.01 --trials 2000000 --quiet", "--checkpoint", "out.ckpt"),
    ])
    func fileSizeLimitFailsCleanly(flags: String, flag: String, file: String) throws {
        let folder = try Self.folderWithScenario()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The report itself goes to /dev/null in the --distribution, --report and --plot cases.
        let outcome = try Self.shell("ulimit -f 4; exec \"$SLASHSIM\" run s.yaml \(flags)", in: folder)
        #expect(outcome.status == 73, "\(flags): \(outcome.stderr)")
        let path = folder.appendingPathComponent(file).path
        #expect(outcome.stderr == "error: \(flag) \(path): cannot be written (File too large). Fix: check the disk and permissions\n")
        let left = try Self.leftovers(folder)
        #expect(!left.contains { $0 == file || $0.hasSuffix(".tmp") }, "\(left)")
    }

    /// The report on standard output, redirected to a file over the limit: exit 73 and a message, not exit 0
    /// with a truncated report.
    @Test(.enabled(if: OutputFailureTests.startsUnderFileSizeLimit)) func standardOutputFailureIsAnError() throws {
        let folder = try Self.folderWithScenario()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.shell("ulimit -f 4; exec \"$SLASHSIM\" run s.yaml --format json > out.json", in: folder)
        #expect(outcome.status == 73, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("error: standard output: the report could not be written (File too large)."), "\(outcome.stderr)")
        let fits = try Self.shell("ulimit -f 400; exec \"$SLASHSIM\" run s.yaml --format json > out.json", in: folder)
        #expect(fits.status == 0, "\(fits.stderr)")
    }

    /// A full disk: a 64 KiB tmpfs mounted in a private mount namespace (root and unshare(1) needed; skipped
    /// otherwise), almost filled, then written past its end by the report and by the distribution CSV.
    @Test(.enabled(if: OutputFailureTests.canMountTmpfs()), arguments: ["--output disk/report.json", "--output r.json --distribution disk/report.json",
                                                                                            "--output r.json --memory bounded --checkpoint disk/report.json"])
    func fullDiskFailsCleanly(flags: String) throws {
        let folder = try Self.folderWithScenario()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
            mkdir -p disk && unshare --mount sh -c 'mount -t tmpfs -o size=64k none disk && \
            dd if=/dev/zero of=disk/filler bs=1024 count=63 2>/dev/null; \
            "$SLASHSIM" run s.yaml --quiet --format json \(flags); code=$?; ls -a disk > listing.txt; exit $code'
            """
        let outcome = try Self.shell(script, in: folder)
        let flag = flags.contains("--distribution") ? "--distribution" : flags.contains("--checkpoint") ? "--checkpoint" : "--output"
        #expect(outcome.status == 73, "\(outcome.stderr)")
        #expect(outcome.stderr == "error: \(flag) \(folder.path)/disk/report.json: cannot be written (No space left on device). Fix: check the disk and permissions\n")
        let listing = try String(contentsOf: folder.appendingPathComponent("listing.txt"), encoding: .utf8)
        #expect(!listing.contains("report.json") && !listing.contains(".tmp"), "\(listing)")
    }

    /// Whether strace can run the binary with a fault injected (ptrace allowed, strace installed).
    static let canInjectFaults: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), let folder = try? SlashsimBinary.temporaryFolder() else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        return (try? shell("strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \"$SLASHSIM\" --version", in: folder))?.status == 0
    }()

    /// An I/O error (EIO, injected by strace into the fsync that ends every output's write): each output says
    /// so in one line and exits 73, leaving neither the file nor its temporary file.
    @Test(.enabled(if: OutputFailureTests.canInjectFaults), arguments: [
        ("--output out.json --format json", "--output", "out.json"),
        ("--distribution out.csv --quiet", "--distribution", "out.csv"),
        ("--report out.html", "--report", "out.html"),
        ("--shard 0/2 --trials 40000 --output out.slashsim", "--output", "out.slashsim"),
        ("--checkpoint out.ckpt --memory bounded --quiet", "--checkpoint", "out.ckpt"),
    ])
    func ioErrorFailsCleanly(flags: String, flag: String, file: String) throws {
        let folder = try Self.folderWithScenario()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.shell("strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \"$SLASHSIM\" run s.yaml \(flags) > /dev/null", in: folder)
        #expect(outcome.status == 73, "\(flags): \(outcome.stderr)")
        let path = folder.appendingPathComponent(file).path
        #expect(outcome.stderr == "error: \(flag) \(path): cannot be written (Input/output error). Fix: check the disk and permissions\n")
        let left = try Self.leftovers(folder)
        #expect(left.isEmpty, "\(left)")
    }

    static func canMountTmpfs() -> Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--mount", "sh", "-c", "mount -t tmpfs -o size=64k none /mnt"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Two processes writing the same --output at once: each writes its own temporary file and renames it into
    /// place, so the file is always one complete report — the one renamed last — never a mixture.
    @Test func concurrentWritersLeaveOneCompleteReport() throws {
        let folder = try Self.folderWithScenario()
        defer { try? FileManager.default.removeItem(at: folder) }
        for round in 0..<5 {
            // Both started before either is waited for (Process, not a shell's `&`: the test runner's signal
            // mask would keep a shell's `wait` from seeing its children end).
            let writers = try [1, 2].map { seed -> Process in
                let process = Process()
                process.executableURL = SlashsimBinary.url
                process.arguments = ["run", "s.yaml", "--trials", "50000", "--seed", "\(seed)", "--format", "json", "--output", "same.json"]
                process.currentDirectoryURL = folder
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                try process.run()
                return process
            }
            for writer in writers {
                writer.waitUntilExit()
                #expect(writer.terminationStatus == 0)
            }
            let data = try Data(contentsOf: folder.appendingPathComponent("same.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "round \(round)")
            let seed = try #require(report["seed"] as? Int)
            #expect(seed == 1 || seed == 2)
            // The whole report of that seed: the same bytes a lone run writes (timing aside).
            let lone = try SlashsimBinary.run(["run", "s.yaml", "--trials", "50000", "--seed", "\(seed)", "--format", "json"], in: folder)
            var a = report, b = try #require(try JSONSerialization.jsonObject(with: Data(lone.stdout.utf8)) as? [String: Any])
            a["elapsed_seconds"] = nil
            b["elapsed_seconds"] = nil
            #expect(NSDictionary(dictionary: a) == NSDictionary(dictionary: b))
            let left = try Self.leftovers(folder)
            #expect(left == ["same.json"])
        }
    }
}
