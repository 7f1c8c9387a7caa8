#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SlashingReports

/// Writes a report to a file atomically: into a temporary file beside it, then renamed into place, so
/// a reader never sees a half-written report.
struct ReportWriter {
    let url: URL
    let flag: String

    /// Checks up front that the destination's folder exists and is writable.
    init(path: String, flag: String = "--output") throws {
        url = URL(fileURLWithPath: path)
        self.flag = flag
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            StandardError.write("error: \(flag) \(path): the folder \(folder) does not exist. Fix: create it or write elsewhere\n")
            throw ExitCodes.cannotCreateOutput
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            StandardError.write("error: \(flag) \(path): the folder \(folder) is not writable. Fix: choose a folder you can write to\n")
            throw ExitCodes.cannotCreateOutput
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            StandardError.write("error: \(flag) \(path) is a directory. Fix: name a file\n")
            throw ExitCodes.cannotCreateOutput
        }
    }

    func write(_ text: String) throws { try write(data: Data(text.utf8)) }

    /// Writes a plot: the SVG, or an HTML page around it when the file ends in `.html`.
    func writePlot(_ svg: String) throws {
        try write(SVGPlot.file(svg, html: url.pathExtension.lowercased() == "html"))
    }

    func write(data: Data) throws {
        try write(pieces: { (sink: (UnsafeRawBufferPointer) -> Bool) -> Void in _ = data.withUnsafeBytes { sink($0) } })
    }

    /// Writes what `produce` hands to its sink piece by piece (a checkpoint's arrays straight from memory),
    /// atomically like every output; `produce` stops when the sink refuses a piece (returns false).
    func write(pieces produce: ((UnsafeRawBufferPointer) -> Bool) -> Void) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        SignalGuard.writing(temporary.path)
        defer { SignalGuard.writing(nil) }
        if let cause = Self.writeFile(temporary.path, produce) ?? (rename(temporary.path, url.path) == 0 ? nil : Self.cause()) {
            unlink(temporary.path)
            StandardError.write("error: \(flag) \(url.path): cannot be written (\(cause)). Fix: check the disk and permissions\n")
            throw ExitCodes.cannotCreateOutput
        }
    }

    /// Writes the pieces `produce` gives to a new file at `path` with POSIX calls, so that a failure names its
    /// cause (EFBIG: "File too large", ENOSPC: "No space left on device", EIO: "Input/output error"), and
    /// flushes it to the disk (fsync) before the caller renames it into place: a crash cannot leave an empty
    /// report behind the name. Returns the cause of a failure, nil on success. rename(2) then replaces an
    /// existing report atomically: readers, and a concurrent writer's rename, see the old file or the new one.
    private static func writeFile(_ path: String, _ produce: ((UnsafeRawBufferPointer) -> Bool) -> Void) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return cause() }
        var failure: String?
        produce { bytes in
            guard failure == nil else { return false }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = cause()
                    return false
                }
                offset += written
            }
            return true
        }
        if failure == nil, fsync(descriptor) != 0 { failure = cause() }
        if close(descriptor) != 0, failure == nil { failure = cause() }
        return failure
    }

    private static func cause() -> String { String(cString: strerror(errno)) }
}
