/// What a single-precision run (`precision: single`) measured about its own decisions.
///
/// Every latent whose float value lay within its rounding error bound of its threshold was recomputed in
/// double; `corrected` counts those whose float value alone would have decided the other way: the decisions
/// a plain float multiply would have got wrong, which this run got right.
public struct SinglePrecisionChecks: Sendable, Equatable {
    /// Latents drawn (trials × operators).
    public let latents: Int
    /// Latents recomputed in double.
    public let recomputed: Int
    /// Recomputed latents on the other side of the threshold from their float value.
    public let corrected: Int
}
