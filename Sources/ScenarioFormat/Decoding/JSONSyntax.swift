/// A strict JSON (RFC 8259) syntax check over the file's bytes, naming the line and column of the first
/// problem. YAML 1.2 reads any JSON, but it also reads much that is not JSON, and libyaml's messages speak of
/// YAML; a `.json` scenario is checked here first, then composed by `JSONComposer` (with positions).
///
/// One pass, no allocation, an explicit stack of open containers (no recursion, so nesting depth costs
/// nothing but the limit below). Columns count Unicode scalars, as libyaml's marks do.
enum JSONSyntax {
    /// Deepest nesting accepted (a scenario needs a handful of levels).
    static let maximumDepth = 512

    struct Problem: Error, Equatable {
        let message: String
        let line: Int
        let column: Int
    }

    static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Problem? {
        var scanner = Scanner(bytes)
        return scanner.document()
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0, line = 1, lineStart = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// The column of byte `index` on the current line, in Unicode scalars (UTF-8 continuation bytes skipped).
        func column(_ index: Int) -> Int {
            var scalars = 0
            for j in lineStart..<min(index, bytes.count) where bytes[j] & 0xC0 != 0x80 { scalars += 1 }
            return scalars + 1
        }

        func problem(_ message: String, at index: Int? = nil) -> Problem {
            Problem(message: message, line: line, column: column(index ?? i))
        }

        var found: String {
            guard i < bytes.count else { return "the end of the file" }
            let b = bytes[i]
            if b >= 0x21 && b < 0x7F { return "`\(Character(Unicode.Scalar(b)))`" }
            if b == 0x20 { return "a space" }
            if b == 0x0A || b == 0x0D { return "the end of the line" }
            return "byte 0x\(String(b, radix: 16, uppercase: true))"
        }

        mutating func skipWhitespace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0D: i += 1
                case 0x0A: i += 1; line += 1; lineStart = i
                default: return
                }
            }
        }

        /// One value, then nothing but whitespace.
        mutating func document() -> Problem? {
            skipWhitespace()
            if i == bytes.count { return problem("the file holds no JSON value") }
            // Containers open: true for an object, false for an array.
            var stack: [Bool] = []
            var expectValue = true
            while true {
                skipWhitespace()
                if expectValue {
                    guard i < bytes.count else { return problem("expected a value, found the end of the file") }
                    switch bytes[i] {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        guard stack.count < JSONSyntax.maximumDepth else { return problem("nested deeper than \(JSONSyntax.maximumDepth) levels") }
                        let object = bytes[i] == UInt8(ascii: "{")
                        i += 1
                        skipWhitespace()
                        if i < bytes.count, bytes[i] == UInt8(ascii: object ? "}" : "]") {
                            i += 1
                            expectValue = false
                            break
                        }
                        stack.append(object)
                        if object, let p = key() { return p }
                        continue
                    case UInt8(ascii: "\""):
                        if let p = string() { return p }
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        if let p = number() { return p }
                    case UInt8(ascii: "t"): if let p = literal("true") { return p }
                    case UInt8(ascii: "f"): if let p = literal("false") { return p }
                    case UInt8(ascii: "n"): if let p = literal("null") { return p }
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                        return bareWord()
                    default:
                        return problem("expected a value (an object, array, string, number, true, false or null), found \(found)")
                    }
                    expectValue = false
                }
                // After a value: a separator, the end of its container, or the end of the document.
                skipWhitespace()
                guard let object = stack.last else {
                    return i == bytes.count ? nil : problem("unexpected \(found) after the JSON value")
                }
                guard i < bytes.count else { return problem("expected `,` or `\(object ? "}" : "]")`, found the end of the file") }
                let b = bytes[i]
                if b == UInt8(ascii: ",") {
                    i += 1
                    skipWhitespace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: object ? "}" : "]") {
                        return problem("a trailing comma before `\(object ? "}" : "]")`")
                    }
                    if object, let p = key() { return p }
                    expectValue = true
                } else if b == UInt8(ascii: object ? "}" : "]") {
                    i += 1
                    stack.removeLast()
                } else {
                    return problem("expected `,` or `\(object ? "}" : "]")`, found \(found)")
                }
            }
        }

        /// `"key"` and `:` inside an object.
        mutating func key() -> Problem? {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return problem("expected a key in double quotes, found \(found)") }
            if let p = string() { return p }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return problem("expected `:` after the key, found \(found)") }
            i += 1
            return nil
        }

        mutating func string() -> Problem? {
            let start = i
            i += 1
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return nil }
                if b < 0x20 {
                    return b == 0x0A ? problem("a string is not closed before the end of the line", at: start)
                        : problem("a control character (0x\(String(b, radix: 16, uppercase: true))) inside a string must be escaped")
                }
                if b == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { break }
                    switch bytes[i] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        for k in 1...4 {
                            guard i + k < bytes.count, Self.isHexDigit(bytes[i + k]) else {
                                return problem("`\\u` must be followed by four hexadecimal digits", at: i - 1)
                            }
                        }
                        i += 5
                    default:
                        return problem("unknown escape in a string: a backslash before \(found)", at: i - 1)
                    }
                    continue
                }
                i += 1
            }
            return problem("a string is not closed before the end of the file", at: start)
        }

        static func isHexDigit(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }

        static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

        /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func number() -> Problem? {
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, Self.isDigit(bytes[i]) else { return problem("a number needs a digit after `-`", at: start) }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
                if i < bytes.count, Self.isDigit(bytes[i]) { return problem("a number may not start with 0 followed by digits", at: start) }
            } else {
                while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard i < bytes.count, Self.isDigit(bytes[i]) else { return problem("a number needs a digit after its decimal point", at: start) }
                while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard i < bytes.count, Self.isDigit(bytes[i]) else { return problem("a number needs a digit in its exponent", at: start) }
                while i < bytes.count, Self.isDigit(bytes[i]) { i += 1 }
            }
            return nil
        }

        mutating func literal(_ word: StaticString) -> Problem? {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == word.utf8Start[$0] }) else { return bareWord() }
            i += n
            return nil
        }

        /// A word where a value should be: `word` is not a JSON value (at most 20 characters of it are named).
        func bareWord() -> Problem {
            var end = i
            while end < bytes.count, end - i < 20, bytes[end] >= 0x21, bytes[end] < 0x7F,
                  ![UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":")].contains(bytes[end]) { end += 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<max(end, i + 1)]), as: UTF8.self)
            return problem("`\(text)` is not a JSON value (strings need double quotes)")
        }
    }
}
