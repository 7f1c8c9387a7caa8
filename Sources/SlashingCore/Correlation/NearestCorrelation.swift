import CLAPACK

/// The nearest correlation matrix in the Frobenius norm, by Higham's alternating projections with
/// Dykstra's correction (N. J. Higham, "Computing the nearest correlation matrix — a problem from
/// finance", IMA J. Numer. Anal. 22, 2002), with eigenvalues floored at `eigenvalueFloor` at the end so
/// that the result is positive definite (Cholesky needs that; the exact nearest matrix is singular).
public enum NearestCorrelation {
    /// The repaired matrix and how far it moved.
    public struct Result: Sendable, Equatable {
        public let matrix: [[Double]]
        /// ‖repaired − original‖_F.
        public let frobeniusDistance: Double
        public let smallestEigenvalueBefore: Double
        public let smallestEigenvalueAfter: Double
        public let iterations: Int
    }

    public static func repair(_ a: [[Double]], tolerance: Double = 1e-12, maxIterations: Int = 10_000,
                              eigenvalueFloor: Double = 1e-8) -> Result {
        let n = a.count
        let original = a.flatMap { $0 }  // row-major = column-major for symmetric matrices
        var y = original
        var correction = [Double](repeating: 0, count: n * n)
        var iterations = 0
        for k in 1...maxIterations {
            iterations = k
            let r = zip(y, correction).map { $0 - $1 }
            let x = projectToPositiveSemidefinite(r, order: n, floor: 0)
            correction = zip(x, r).map { $0 - $1 }
            var next = x
            for i in 0..<n { next[i * n + i] = 1 }
            let change = zip(next, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            let size = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            y = next
            if change <= tolerance * size { break }
        }
        // Make it strictly positive definite with a unit diagonal.
        var x = projectToPositiveSemidefinite(y, order: n, floor: eigenvalueFloor)
        var d = [Double](repeating: 1, count: n)
        for i in 0..<n { d[i] = x[i * n + i].squareRoot() }
        for i in 0..<n { for j in 0..<n { x[i * n + j] /= d[i] * d[j] } }
        for i in 0..<n { x[i * n + i] = 1 }
        let distance = zip(x, original).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        return Result(
            matrix: (0..<n).map { i in Array(x[(i * n)..<(i * n + n)]) },
            frobeniusDistance: distance,
            smallestEigenvalueBefore: eigen(original, order: n, vectors: false).values.first ?? 0,
            smallestEigenvalueAfter: eigen(x, order: n, vectors: false).values.first ?? 0,
            iterations: iterations)
    }

    /// V·max(Λ, floor)·Vᵀ for a symmetric matrix (column-major n×n).
    static func projectToPositiveSemidefinite(_ m: [Double], order n: Int, floor: Double) -> [Double] {
        let (values, vectors) = eigen(m, order: n, vectors: true)
        var out = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let lambda = max(values[k], floor)
            if lambda == 0 { continue }
            for j in 0..<n {
                let vj = vectors[j + k * n] * lambda
                if vj == 0 { continue }
                for i in 0..<n { out[i + j * n] += vectors[i + k * n] * vj }
            }
        }
        // Symmetrise against rounding.
        for j in 0..<n {
            for i in (j + 1)..<n {
                let mean = 0.5 * (out[i + j * n] + out[j + i * n])
                out[i + j * n] = mean
                out[j + i * n] = mean
            }
        }
        return out
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, by LAPACK `dsyev`.
    static func eigen(_ m: [Double], order n: Int, vectors: Bool) -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        var a = m
        var w = [Double](repeating: 0, count: n)
        var jobz = CChar(UInt8(ascii: vectors ? "V" : "N")), uplo = CChar(UInt8(ascii: "L"))
        var n32 = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1
        var query = 0.0
        dsyev_(&jobz, &uplo, &n32, &a, &lda, &w, &query, &lwork, &info, 1, 1)
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: Int(lwork))
        dsyev_(&jobz, &uplo, &n32, &a, &lda, &w, &work, &lwork, &info, 1, 1)
        precondition(info == 0, "dsyev failed (info \(info))")
        return (w, a)
    }
}
