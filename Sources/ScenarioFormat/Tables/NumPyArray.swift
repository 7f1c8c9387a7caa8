import Foundation

/// A float64 array in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): the magic string `\x93NUMPY`, the
/// version, the header length, a Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (r, c), }`,
/// then the data. Both byte orders (`<f8`, `>f8`) and both memory orders are read; `values` is row-major.
struct NumPyArray {
    /// A file that is not a float64 `.npy` array: the header field at fault and the fix.
    struct Problem: Error, Equatable {
        let field: String
        let message: String
        let fix: String
    }

    /// The dimensions, e.g. [1000, 1000] or [1000].
    let shape: [Int]
    /// The elements in row-major (C) order.
    let values: [Double]

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    init(_ bytes: UnsafeRawBufferPointer) throws(Problem) {
        let saveAs = "save it with numpy: np.save(path, np.asarray(a, dtype=np.float64))"
        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else {
            throw Problem(field: "magic", message: "the file does not start with NumPy's magic string \\x93NUMPY: it is not a .npy file",
                          fix: saveAs + ", or give a .csv file")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw Problem(field: "header", message: "the file ends inside its header", fix: "write the file again: " + saveAs)
            }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw Problem(field: "version", message: "format version \(major).\(bytes[7]) is not one of 1.0, 2.0, 3.0",
                          fix: saveAs)
        }
        guard headerStart + headerLength <= bytes.count else {
            throw Problem(field: "header", message: "the file ends inside its header", fix: "write the file again: " + saveAs)
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let fields = try Self.dictionary(header)
        guard let descr = fields["descr"] else {
            throw Problem(field: "descr", message: "the header has no 'descr' (element type)", fix: saveAs)
        }
        let bigEndian: Bool
        switch descr {
        case "'<f8'", "\"<f8\"", "'=f8'": bigEndian = false
        case "'>f8'", "\">f8\"": bigEndian = true
        default:
            let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            throw Problem(field: "descr", message: "the elements are \(Self.typeName(type)) ('descr': \(descr)), not float64",
                          fix: saveAs)
        }
        guard let order = fields["fortran_order"], order == "True" || order == "False" else {
            throw Problem(field: "fortran_order", message: "the header has no 'fortran_order' True or False", fix: saveAs)
        }
        guard let shapeText = fields["shape"], shapeText.hasPrefix("("), shapeText.hasSuffix(")") else {
            throw Problem(field: "shape", message: "the header has no 'shape' tuple", fix: saveAs)
        }
        let dims = shapeText.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw Problem(field: "shape", message: "the shape \(shapeText) is not a tuple of whole numbers", fix: saveAs)
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= (1 << 31) else {
                throw Problem(field: "shape", message: "the shape \(shapeText) is too large", fix: "give an array of at most 2³¹ elements")
            }
            count = product
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 8 else {
            throw Problem(field: "shape", message: "the shape \(shapeText) needs \(count * 8) bytes of data but the file holds \(bytes.count - dataStart)",
                          fix: "write the file again (it may be truncated): " + saveAs)
        }
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBytes { out in
            out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[dataStart...]))
        }
        if bigEndian {
            for k in values.indices { values[k] = Double(bitPattern: values[k].bitPattern.byteSwapped) }
        }
        if order == "True", shape.count == 2 {
            // Column-major: element (i, j) is at j·rows + i.
            let rows = shape[0], cols = shape[1]
            var transposed = [Double](repeating: 0, count: count)
            for j in 0..<cols { for i in 0..<rows { transposed[i * cols + j] = values[j * rows + i] } }
            values = transposed
        } else if order == "True", shape.count > 2 {
            throw Problem(field: "shape", message: "a Fortran-ordered array of \(shape.count) dimensions", fix: "give a 1- or 2-dimensional array")
        }
        self.shape = shape
        self.values = values
    }

    /// The `key: value` texts of the header's dict literal (values as written: quoted strings, True/False, tuples).
    static func dictionary(_ header: String) throws(Problem) -> [String: String] {
        let text = header.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{"), text.hasSuffix("}") else {
            throw Problem(field: "header", message: "the header is not a Python dict: \(text.prefix(60))",
                          fix: "write the file with numpy.save")
        }
        var fields: [String: String] = [:]
        var rest = Substring(text.dropFirst().dropLast())
        while true {
            rest = rest.drop { $0 == " " || $0 == "," || $0 == "\n" }
            guard let quote = rest.first else { break }
            guard quote == "'" || quote == "\"", let close = rest.dropFirst().firstIndex(of: quote) else {
                throw Problem(field: "header", message: "cannot read the header \(text.prefix(80))", fix: "write the file with numpy.save")
            }
            let key = String(rest[rest.index(after: rest.startIndex)..<close])
            // A problem in a key's value is named by the key (an empty key, which the libFuzzer target found
            // unnamed, by "header").
            let field = key.isEmpty ? "header" : key
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
            guard rest.first == ":" else {
                throw Problem(field: "header", message: "cannot read the header \(text.prefix(80))", fix: "write the file with numpy.save")
            }
            rest = rest.dropFirst().drop { $0 == " " }
            let end: Substring.Index
            if rest.first == "(" {
                guard let close = rest.firstIndex(of: ")") else {
                    throw Problem(field: field, message: "the header's tuple is not closed", fix: "write the file with numpy.save")
                }
                end = rest.index(after: close)
            } else if let q = rest.first, q == "'" || q == "\"" {
                guard let close = rest.dropFirst().firstIndex(of: q) else {
                    throw Problem(field: field, message: "the header's string is not closed", fix: "write the file with numpy.save")
                }
                end = rest.index(after: close)
            } else {
                end = rest.firstIndex(of: ",") ?? rest.endIndex
            }
            fields[key] = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
            rest = rest[end...]
        }
        return fields
    }

    private static func typeName(_ descr: String) -> String {
        switch descr.dropFirst() {
        case "f4": return "float32"
        case "f2": return "float16"
        case "i8": return "int64"
        case "i4": return "int32"
        case "u8", "u4", "u2", "u1": return "unsigned integers"
        case "b1": return "booleans"
        default: return descr.hasPrefix("|O") ? "Python objects" : "`\(descr)`"
        }
    }
}
