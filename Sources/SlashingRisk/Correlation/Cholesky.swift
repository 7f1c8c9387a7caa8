import CLAPACK

/// The Cholesky factor of a correlation matrix, computed by LAPACK `dpotrf`.
public struct CholeskyFactor: Sendable {
    /// Matrix order.
    public let order: Int
    /// Lower-triangular L with R = L·Lᵀ, column-major, order × order; the strict upper triangle is zero.
    public let lower: [Double]

    /// Why a factorisation failed: the leading minor of this order (1-based) is not positive.
    public struct NotPositiveDefinite: Error, Sendable, Equatable {
        public let leadingMinor: Int
    }

    /// Factorises a symmetric matrix given row by row (only the lower triangle is read).
    public init(symmetric rows: [[Double]]) throws(NotPositiveDefinite) {
        let n = rows.count
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in j..<n { a[i + j * n] = rows[i][j] }  // column-major lower triangle
        }
        var info: Int32 = 0
        var n32 = Int32(n), lda = Int32(max(n, 1))
        var uplo = CChar(UInt8(ascii: "L"))
        dpotrf_(&uplo, &n32, &a, &lda, &info, 1)
        if info > 0 { throw NotPositiveDefinite(leadingMinor: Int(info)) }
        precondition(info == 0, "dpotrf rejected its arguments (info \(info))")
        for j in 0..<n {
            for i in 0..<j { a[i + j * n] = 0 }
        }
        self.order = n
        self.lower = a
    }
}
