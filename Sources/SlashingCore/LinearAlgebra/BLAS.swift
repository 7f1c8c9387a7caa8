import CLAPACK
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS calls of the engine, and keeping an optimised BLAS single-threaded inside each worker.
public enum BLAS {
    /// B := L·B in place, L lower triangular n×n (column-major), B n×m (column-major).
    public static func lowerTriangularMultiply(_ lower: UnsafePointer<Double>, order n: Int,
                                        _ b: UnsafeMutablePointer<Double>, columns m: Int) {
        var side = CChar(UInt8(ascii: "L")), uplo = CChar(UInt8(ascii: "L"))
        var trans = CChar(UInt8(ascii: "N")), diag = CChar(UInt8(ascii: "N"))
        var n32 = Int32(n), m32 = Int32(m), ld = Int32(max(n, 1))
        var alpha = 1.0
        dtrmm_(&side, &uplo, &trans, &diag, &n32, &m32, &alpha, lower, &ld, b, &ld, 1, 1, 1, 1)
    }

    /// `lowerTriangularMultiply` in single precision (`strmm`).
    public static func lowerTriangularMultiply(_ lower: UnsafePointer<Float>, order n: Int,
                                               _ b: UnsafeMutablePointer<Float>, columns m: Int) {
        var side = CChar(UInt8(ascii: "L")), uplo = CChar(UInt8(ascii: "L"))
        var trans = CChar(UInt8(ascii: "N")), diag = CChar(UInt8(ascii: "N"))
        var n32 = Int32(n), m32 = Int32(m), ld = Int32(max(n, 1))
        var alpha: Float = 1
        strmm_(&side, &uplo, &trans, &diag, &n32, &m32, &alpha, lower, &ld, b, &ld, 1, 1, 1, 1)
    }

    /// Makes OpenBLAS single-threaded (once); the engine does this before every run.
    public static func useOneThreadPerCall() { _ = singleThreaded }

    /// Parallelism comes from Dispatch workers, one per core; an OpenBLAS that also spawned threads
    /// inside each call would oversubscribe the cores. When the BLAS in use is OpenBLAS (selected by
    /// update-alternatives), its thread count is set to 1; the reference BLAS is single-threaded anyway.
    package static let singleThreaded: Void = {
        typealias SetThreads = @convention(c) (Int32) -> Void
        if let symbol = dlsym(nil /* RTLD_DEFAULT on glibc */, "openblas_set_num_threads") {
            unsafeBitCast(symbol, to: SetThreads.self)(1)
        }
    }()

    /// The BLAS the process runs with: OpenBLAS's configuration string, or "reference BLAS".
    public static var implementation: String {
        typealias GetConfig = @convention(c) () -> UnsafePointer<CChar>?
        if let symbol = dlsym(nil, "openblas_get_config"),
           let config = unsafeBitCast(symbol, to: GetConfig.self)() {
            return "OpenBLAS (" + String(cString: config) + ")"
        }
        return "reference BLAS"
    }
}
