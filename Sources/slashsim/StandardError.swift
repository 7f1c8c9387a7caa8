#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writing to standard error, and whether it is a terminal.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
