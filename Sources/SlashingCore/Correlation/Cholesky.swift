import CLAPACK

/// The Cholesky factor of a correlation matrix, computed by LAPACK `dpotrf`.
public struct CholeskyFactor: Sendable {
    /// Matrix order.
    public let order: Int
    /// Lower-triangular L with R = L·Lᵀ, column-major, order × order; the strict upper triangle is zero.
    public let lower: [Double]
    /// LAPACK's estimate (`dpocon`) of the 1-norm condition number of R; large values mean the matrix is
    /// nearly singular and the results are sensitive to small changes in its entries.
    public let conditionNumber: Double

    /// Why a factorisation failed: the leading minor of this order (1-based) is not positive.
    public struct NotPositiveDefinite: Error, Sendable, Equatable {
        public let leadingMinor: Int
    }

    /// Factorises a symmetric matrix given row by row (only the lower triangle is read).
    public init(symmetric rows: [[Double]]) throws(NotPositiveDefinite) {
        let n = rows.count
        var a = [Double](repeating: 0, count: n * n)
        var norm = 0.0  // 1-norm of the symmetric matrix, for the condition estimate
        for j in 0..<n {
            for i in j..<n { a[i + j * n] = rows[i][j] }  // column-major lower triangle
            var column = 0.0
            for i in 0..<n { column += abs(i >= j ? rows[i][j] : rows[j][i]) }
            norm = max(norm, column)
        }
        var info: Int32 = 0
        var n32 = Int32(n), lda = Int32(max(n, 1))
        var uplo = CChar(UInt8(ascii: "L"))
        dpotrf_(&uplo, &n32, &a, &lda, &info, 1)
        if info > 0 { throw NotPositiveDefinite(leadingMinor: Int(info)) }
        precondition(info == 0, "dpotrf rejected its arguments (info \(info))")
        var rcond = 0.0
        var work = [Double](repeating: 0, count: 3 * max(n, 1))
        var iwork = [Int32](repeating: 0, count: max(n, 1))
        dpocon_(&uplo, &n32, a, &lda, &norm, &rcond, &work, &iwork, &info, 1)
        for j in 0..<n {
            for i in 0..<j { a[i + j * n] = 0 }
        }
        self.conditionNumber = rcond > 0 ? 1 / rcond : .infinity
        self.order = n
        self.lower = a
    }
}
