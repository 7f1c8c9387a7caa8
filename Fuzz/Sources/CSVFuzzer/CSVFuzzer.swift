import FuzzSupport
@testable import ScenarioFormat

/// A CSV table beside a scenario (`operators_file:`, `allocations_file:`, loadings): parsed into rows of the
/// header's width, or refused with a line, a message and a fix.
func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let table = try CSVTable(UnsafeBufferPointer(start: data, count: size))
        precondition(table.rows.allSatisfy { $0.count == table.columns.count }, "a row of another width")
    } catch {
        precondition(!error.message.isEmpty && !error.fix.isEmpty && error.line >= 1, "a refusal without a message")
    }
    return 0
}

@_cdecl("CSVFuzzer_main")
public func cSVFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCSV)
}
