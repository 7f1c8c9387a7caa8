import FuzzSupport
@testable import ScenarioFormat

/// A NumPy `.npy` array (a matrix or a loadings table): values matching its shape, or refused naming the header
/// field, with a fix.
func fuzzNumPy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let array = try NumPyArray(UnsafeRawBufferPointer(start: data, count: size))
        precondition(array.shape.reduce(1, *) == array.values.count, "values that do not fill the shape")
    } catch {
        precondition(!error.field.isEmpty && !error.message.isEmpty && !error.fix.isEmpty, "a refusal without a message")
    }
    return 0
}

@_cdecl("NumPyFuzzer_main")
public func numPyFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzNumPy)
}
