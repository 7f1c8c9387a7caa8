import Yams

/// Builds the YAML node tree of a JSON document directly from its bytes, with every node's line and column,
/// several times faster than libyaml on large files (a 1000×1000 correlation matrix is a million scalars).
///
/// It runs after `JSONSyntax.check` has accepted the bytes, so it assumes valid JSON. The tree is the one
/// libyaml composes for the same text: numbers, `true`, `false` and `null` are plain scalars holding their
/// text, strings are double-quoted scalars holding their unescaped value, and containers are flow
/// collections. A key repeated in one object is a problem, reported at its second occurrence.
///
/// Yams gives `Mark` no public initialiser; `Marks.make` lays one out as its two stored integers, and
/// `Marks.available` checks that layout once, so a Yams whose `Mark` changed falls back to libyaml instead
/// of giving wrong positions.
struct JSONComposer {
    struct DuplicateKey: Error {
        let key: String
        let line: Int
        let column: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var line = 1, lineStart = 0
    /// Column bookkeeping: the scalar count of the current line up to byte `countedTo`.
    private var countedTo = 0, countedScalars = 0
    private let tag = Tag(.implicit)

    /// The tree of `bytes` (valid JSON), or the first repeated key.
    static func compose(_ bytes: UnsafeBufferPointer<UInt8>) throws(DuplicateKey) -> Node {
        var composer = JSONComposer(bytes: bytes)
        composer.skipWhitespace()
        return try composer.value()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The mark of byte `index` on the current line (columns count Unicode scalars, as libyaml's do).
    private mutating func mark(_ index: Int) -> Mark {
        if countedTo < lineStart || countedTo > index { countedTo = lineStart; countedScalars = 0 }
        var j = countedTo, scalars = countedScalars
        while j < index {
            if bytes[j] & 0xC0 != 0x80 { scalars += 1 }
            j += 1
        }
        countedTo = index
        countedScalars = scalars
        return Marks.make(line: line, column: scalars + 1)
    }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i
            default: return
            }
        }
    }

    private mutating func value() throws(DuplicateKey) -> Node {
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "{"):
            let at = mark(start)
            i += 1
            var pairs: [(Node, Node)] = []
            var keys: Set<String> = []
            skipWhitespace()
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .mapping(Node.Mapping(pairs, tag, .flow, at))
            }
            while true {
                skipWhitespace()
                let key = string()
                if case .scalar(let k) = key, !keys.insert(k.string).inserted {
                    throw DuplicateKey(key: k.string, line: k.mark?.line ?? line, column: k.mark?.column ?? 1)
                }
                skipWhitespace()
                i += 1  // ':'
                skipWhitespace()
                pairs.append((key, try value()))
                skipWhitespace()
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                i += 1  // '}'
                return .mapping(Node.Mapping(pairs, tag, .flow, at))
            }
        case UInt8(ascii: "["):
            let at = mark(start)
            i += 1
            var items: [Node] = []
            skipWhitespace()
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .sequence(Node.Sequence(items, tag, .flow, at))
            }
            while true {
                skipWhitespace()
                items.append(try value())
                skipWhitespace()
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                i += 1  // ']'
                return .sequence(Node.Sequence(items, tag, .flow, at))
            }
        case UInt8(ascii: "\""):
            return string()
        default:
            // A number or a literal: everything up to the next delimiter.
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == 0x20 || b == 0x0A
                    || b == 0x0D || b == 0x09 { break }
                i += 1
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            return .scalar(Node.Scalar(text, tag, .plain, mark(start)))
        }
    }

    /// A string at `i` (its opening quote), unescaped.
    private mutating func string() -> Node {
        let start = i
        i += 1
        let first = i
        var plain = true
        while bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") { plain = false; i += 1 }
            i += 1
        }
        let body = UnsafeBufferPointer(rebasing: bytes[first..<i])
        i += 1
        let text = plain ? String(decoding: body, as: UTF8.self) : Self.unescape(body)
        return .scalar(Node.Scalar(text, tag, .doubleQuoted, mark(start)))
    }

    /// The value of a string body with escapes (RFC 8259 §7; a lone surrogate becomes U+FFFD).
    static func unescape(_ body: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var j = 0
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 {
                let b = body[at + k]
                let digit: UInt8 = b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10
                v = v << 4 | UInt32(digit)
            }
            return v
        }
        func append(_ scalar: Unicode.Scalar) { out.append(contentsOf: Array(String(scalar).utf8)) }
        while j < body.count {
            let b = body[j]
            guard b == UInt8(ascii: "\\") else { out.append(b); j += 1; continue }
            let e = body[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(j)
                j += 4
                if (0xD800..<0xDC00).contains(code), j + 6 <= body.count, body[j] == UInt8(ascii: "\\"), body[j + 1] == UInt8(ascii: "u") {
                    let low = hex4(j + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        j += 6
                    }
                }
                append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Yams `Mark`s made from a line and a column (see `JSONComposer`).
enum Marks {
    private struct Layout { let line: Int; let column: Int }

    static func make(line: Int, column: Int) -> Mark {
        unsafeBitCast(Layout(line: line, column: column), to: Mark.self)
    }

    /// Whether `make` gives marks that read back their line and column (checked once).
    static let available: Bool = {
        guard MemoryLayout<Mark>.size == MemoryLayout<Layout>.size else { return false }
        let mark = make(line: 12_345, column: 678)
        return mark.line == 12_345 && mark.column == 678
    }()
}
