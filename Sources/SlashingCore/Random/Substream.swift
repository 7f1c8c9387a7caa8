/// The substreams of a batch: each kind of random number a trial draws has its own, so that adding a kind
/// (incidents, the t copula's mixing variable, importance sampling's mixture) never moves another's numbers.
/// The raw values are part of the results' contract: renumbering one changes every report.
public enum Substream: UInt32, Sendable, CaseIterable {
    /// N per trial: the operators' normals (dense forms) or uniforms (conditional forms).
    case operators = 0
    /// K per trial: the common factors.
    case factors = 1
    /// S per trial: the services' incident uniforms (read only when some service has incidents).
    case incidents = 2
    /// 1 per trial: the Student t copula's mixing uniform, W = χ²_ν⁻¹(u)/ν.
    case mixing = 3
    /// 1 per trial: importance sampling's defensive-mixture uniform (which law drew the trial).
    case mixture = 4
    /// `StudentTMixing.proposalUniforms` per trial: the gamma sampler's proposals for the t copula's W, read
    /// only when ν is above `StudentTMixing.samplerThreshold`.
    case mixingProposals = 5
    /// E per trial: the exploit events' uniforms (tokens' own, then protocols'), read only when the scenario has exploits.
    case exploits = 6
    /// N·M per trial (M: most fault modes of an operator): which modes happened to a faulting operator, read only
    /// for the faulting operators that have modes.
    case faultModes = 7
    /// A·(trial) + a: the veto of a faulting operator's slash on allocation a (A: the number of allocations), read
    /// only for allocations whose service has a veto probability.
    case vetoes = 8
    /// S·(trial) + s: the veto of service s's incident (one decision for all its slashes).
    case incidentVetoes = 9
}

extension NormalStream {
    /// Normals 0..<buffer.count of (batch, substream).
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, batch: UInt64, substream: Substream) {
        fill(buffer, batch: batch, substream: substream.rawValue)
    }

    /// Uniforms first ..< first + buffer.count of (batch, substream).
    @inlinable
    public func fillUniforms(_ buffer: UnsafeMutableBufferPointer<Double>, batch: UInt64, substream: Substream, from first: Int = 0) {
        fillUniforms(buffer, batch: batch, substream: substream.rawValue, from: first)
    }
}
