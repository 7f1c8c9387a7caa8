/// A CSV table (RFC 4180): a header row of column names, then rows of fields, with the line and column of
/// every field for messages.
///
/// Fields are separated by commas; a field in double quotes may hold commas, line breaks and doubled quotes
/// (`""`). Lines end in LF or CRLF; blank lines are skipped; a UTF-8 byte order mark is ignored; spaces around
/// an unquoted field are not part of it. Every row must have as many fields as the header.
struct CSVTable {
    /// One field: its text and where it starts (1-based line, column in Unicode scalars).
    struct Field {
        let text: String
        let line: Int
        let column: Int
    }

    /// A malformed table: what is wrong and where.
    struct Problem: Error, Equatable {
        let message: String
        let line: Int
        let column: Int?
        let fix: String
    }

    /// The header's fields (the column names).
    let header: [Field]
    /// The data rows, each with `header.count` fields.
    let rows: [[Field]]

    /// The names of the header's columns.
    var columns: [String] { header.map(\.text) }

    /// Parses `bytes` (the whole file).
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(Problem) {
        var scanner = Scanner(bytes: bytes)
        var records: [[Field]] = []
        while let record = try scanner.record() {
            records.append(record)
        }
        guard let header = records.first else {
            throw Problem(message: "the file is empty", line: 1, column: nil,
                          fix: "write a header row of column names, then one row per entry")
        }
        var seen: [String: Int] = [:]
        for field in header {
            if field.text.isEmpty, field.column != 1 || header.count == 1 {
                throw Problem(message: "a column has no name", line: field.line, column: field.column, fix: "name every column in the header row")
            }
            if let first = seen[field.text] {
                throw Problem(message: "the column `\(field.text)` appears twice (first at column \(first))",
                              line: field.line, column: field.column, fix: "keep one of them")
            }
            seen[field.text] = field.column
        }
        for record in records.dropFirst() where record.count != header.count {
            let where_ = record.count > header.count ? record[header.count] : record[record.count - 1]
            throw Problem(message: "this row has \(record.count) field\(record.count == 1 ? "" : "s") but the header has \(header.count)",
                          line: record[0].line, column: record.count > header.count ? where_.column : nil,
                          fix: "give every row one field per header column (\(header.map(\.text).joined(separator: ", ")))")
        }
        self.header = header
        self.rows = Array(records.dropFirst())
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0, line = 1, lineStart = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3; lineStart = 3 }
        }

        /// Scalars of the current line before byte `countedTo` (columns are counted forward from there).
        var countedTo = 0, countedScalars = 0

        mutating func column(_ index: Int) -> Int {
            if countedTo < lineStart || countedTo > index { countedTo = lineStart; countedScalars = 0 }
            var scalars = countedScalars
            for j in countedTo..<index where bytes[j] & 0xC0 != 0x80 { scalars += 1 }
            countedTo = index
            countedScalars = scalars
            return scalars + 1
        }

        /// The next non-blank record, or nil at the end of the file.
        mutating func record() throws(Problem) -> [Field]? {
            // Blank lines (nothing but spaces) are skipped.
            while i < bytes.count {
                var j = i
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0D { j += 1 }
                guard j < bytes.count, bytes[j] == 0x0A else { break }
                i = j + 1
                line += 1
                lineStart = i
            }
            if i >= bytes.count { return nil }
            var fields: [Field] = []
            while true {
                fields.append(try field())
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                // End of the record: a line break or the end of the file.
                if i < bytes.count, bytes[i] == 0x0D { i += 1 }
                if i < bytes.count, bytes[i] == 0x0A {
                    i += 1
                    line += 1
                    lineStart = i
                }
                return fields
            }
        }

        mutating func field() throws(Problem) -> Field {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            let startLine = line, startColumn = column(i)
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var text: [UInt8] = []
                while true {
                    guard i < bytes.count else {
                        throw Problem(message: "a quoted field is not closed", line: startLine, column: startColumn,
                                      fix: "close the field with `\"` (a quote inside a quoted field is written `\"\"`)")
                    }
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                            text.append(b)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if b == 0x0A {
                        line += 1
                        lineStart = i + 1
                    }
                    text.append(b)
                    i += 1
                }
                while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
                if i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D {
                    throw Problem(message: "text after the closing quote of a field", line: line, column: column(i),
                                  fix: "put the whole field inside the quotes, or add the missing comma")
                }
                return Field(text: String(decoding: text, as: UTF8.self), line: startLine, column: startColumn)
            }
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D {
                if bytes[i] == UInt8(ascii: "\"") {
                    throw Problem(message: "a quote inside an unquoted field", line: line, column: column(i),
                                  fix: "quote the whole field and double the quote inside it: \"a \"\"b\"\" c\"")
                }
                i += 1
            }
            var end = i
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            if i < bytes.count, bytes[i] == 0x0D, !(i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
                throw Problem(message: "a carriage return without a line feed", line: line, column: column(i),
                              fix: "end lines with LF or CRLF")
            }
            return Field(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self),
                         line: startLine, column: startColumn)
        }
    }
}
