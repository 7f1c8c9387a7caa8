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

    /// The environment variable that forces a level for the whole process: `generic`, `avx2` or `avx512`.
    public static let environmentVariable = "SLASHSIM_KERNEL_LEVEL"

    /// Why a requested level cannot be used.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The level named `generic`, `avx2` or `avx512` (any case; `AVX-512` too); nil for any other name.
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "-", with: "") {
        case "generic": self = .generic
        case "avx2": self = .avx2
        case "avx512": self = .avx512
        default: return nil
        }
    }

    /// Forces the level named by `SLASHSIM_KERNEL_LEVEL` in `environment`, if set; returns the level in use.
    /// Refuses an unknown name, and a level this CPU lacks (running it would crash on an illegal instruction).
    @discardableResult
    public static func applyEnvironment(_ environment: [String: String]) throws(Refusal) -> KernelLevel {
        guard let name = environment[environmentVariable], !name.isEmpty else { return current }
        guard let level = KernelLevel(name: name) else {
            throw Refusal(description: "\(environmentVariable)=\(name) is not a kernel level. Fix: set it to generic, avx2 or avx512, or unset it to use the best this CPU has (\(best.name))")
        }
        guard level <= best else {
            throw Refusal(description: "\(environmentVariable)=\(name): this CPU supports kernels up to \(best.name) only. Fix: set it to \(available.map(\.name).joined(separator: " or ")), or unset it")
        }
        return force(level)
    }

    /// The name `SLASHSIM_KERNEL_LEVEL` takes: `generic`, `avx2`, `avx512`.
    public var name: String {
        switch self {
        case .generic: return "generic"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
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
