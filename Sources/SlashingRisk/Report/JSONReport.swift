import Foundation

extension Report {
    /// The report as JSON: keys sorted, so equal reports are equal byte for byte.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(self)  // every value is finite by construction
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
