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
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        SignalGuard.writing(temporary.path)
        defer { SignalGuard.writing(nil) }
        do {
            try data.write(to: temporary)
            // rename(2) replaces an existing report atomically: readers see the old file or the new one.
            guard rename(temporary.path, url.path) == 0 else {
                throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno),
                              userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            StandardError.write("error: \(flag) \(url.path): cannot be written (\(error.localizedDescription)). Fix: check the disk and permissions\n")
            throw ExitCodes.cannotCreateOutput
        }
    }
}
