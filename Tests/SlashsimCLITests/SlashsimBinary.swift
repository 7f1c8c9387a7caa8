import Foundation

/// Runs the real `slashsim` executable built beside the test bundle.
enum SlashsimBinary {
    /// The package's root folder (for Scenarios/).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let url: URL = {
        var candidates: [URL] = []
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("slashsim"))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("slashsim"))
        for config in ["release", "debug"] {
            candidates.append(packageRoot.appendingPathComponent(".build/\(config)/slashsim"))
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }) else {
            fatalError("slashsim executable not found near \(runner.path)")
        }
        return found
    }()

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `slashsim arguments…` in `directory` and waits for it; `environment` adds variables to this process's;
    /// `input` is its standard input (none by default).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], input: Data? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // Capture into files rather than pipes: a large report can then never block the child.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        if let input {
            let inURL = folder.appendingPathComponent("stdin")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try readAll(outURL), errData = try readAll(errURL)
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A started `slashsim` whose standard error goes to a file in its folder.
    struct Running {
        let process: Process
        let errURL: URL
        let err: FileHandle

        /// Waits for the process; its exit status and standard error (the file is removed).
        func finish() throws -> (status: Int32, stderr: String) {
            process.waitUntilExit()
            try err.close()
            let stderr = String(decoding: try SlashsimBinary.readAll(errURL), as: UTF8.self)
            try FileManager.default.removeItem(at: errURL)
            return (process.terminationStatus, stderr)
        }
    }

    /// Starts `slashsim arguments…` in `folder` without waiting (to signal it): standard output discarded,
    /// standard error kept for `Running.finish`.
    static func start(_ arguments: [String], in folder: URL) throws -> Running {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let errURL = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, errURL: errURL, err: err)
    }

    /// The bytes of a file (empty files are not read: Foundation's reader leaks its buffer on them).
    static func readAll(_ url: URL) throws -> Data {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return size == 0 ? Data() : try Data(contentsOf: url)
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
