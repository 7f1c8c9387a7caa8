/// The arithmetic of the dense path's multiply Z = L·E (an explicit correlation matrix).
///
/// `single` multiplies in float (BLAS `strmm`, about twice the flops per cycle of `dtrmm`) and recomputes in
/// double every latent whose float value lies within its rounding error bound of its threshold, so the fault
/// decisions, and the reports, are the `double` path's. The other forms (independent, constant, factors) do
/// O(N·K) work per trial and always run in double.
public enum LatentPrecision: String, Sendable, CaseIterable {
    case double
    case single
}
