import CKernels

/// The instruction set the C kernels run with, chosen at run time from the CPU. Every level gives the same
/// numbers, bit for bit (the tests run each one), so a level changes speed only.
public enum KernelLevel: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Portable C (SSE2 on x86-64; what the compiler vectorises on other architectures).
    case generic = 0
    /// AVX2 intrinsics.
    case avx2 = 1
    /// AVX-512 (F, DQ, VL) intrinsics.
    case avx512 = 2

    /// The level in use.
    public static var current: KernelLevel { KernelLevel(slashsim_kernel_level_in_use()) }

    /// The best level this machine supports.
    public static var best: KernelLevel { KernelLevel(slashsim_best_kernel_level()) }

    /// The levels this machine can run, from `generic` to `best`.
    public static var available: [KernelLevel] { allCases.filter { $0 <= best } }

    /// Forces `level` (capped at `best`) for every kernel of the process; returns the level in force. For tests
    /// and benchmarks: every level must give the same numbers.
    @discardableResult
    package static func force(_ level: KernelLevel) -> KernelLevel {
        KernelLevel(slashsim_set_kernel_level(slashsim_kernel_level(rawValue: UInt32(level.rawValue))))
    }

    /// "generic", "AVX2" or "AVX-512".
    public var description: String {
        switch self {
        case .generic: return "generic"
        case .avx2: return "AVX2"
        case .avx512: return "AVX-512"
        }
    }

    public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

    init(_ level: slashsim_kernel_level) { self = KernelLevel(rawValue: Int(level.rawValue)) ?? .generic }
}
