import Foundation
import SlashingCore

extension Report {
    /// The report as JSON: keys sorted, so equal reports are equal byte for byte.
    public func json() -> String { ReportJSON.text(self) }
}

/// The JSON text of reports: pretty-printed with sorted keys, so equal reports are equal byte for byte.
public enum ReportJSON {
    public static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(value)  // every value is finite by construction
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
