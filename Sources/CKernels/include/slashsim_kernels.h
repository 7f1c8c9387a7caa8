// Hot kernels of slashsim written in C so that they vectorise with the instruction set of the machine
// they run on (chosen at run time), while giving bit-identical results on every machine.
#ifndef SLASHSIM_KERNELS_H
#define SLASHSIM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Writes normals 0..<count of (seed, batch, substream) into `out`: exactly the values of
/// `NormalStream.fill` in Swift (Philox4x32-10, 53-bit uniforms, Wichura's AS 241).
void slashsim_fill_normals(double *out, size_t count, uint64_t seed, uint64_t batch, uint32_t substream);

/// Writes uniforms 0..<count of (seed, batch, substream): u = (k + ½)·2⁻⁵³ from the same Philox blocks as
/// the normals (value i from block ⌊i/2⌋), so exactly the values `NormalStream.uniformPair` gives.
void slashsim_fill_uniforms(double *out, size_t count, uint64_t seed, uint64_t batch, uint32_t substream);

/// Uniforms first ..< first + count of (seed, batch, substream), into out[0 ..< count].
void slashsim_fill_uniforms_range(double *out, size_t first, size_t count, uint64_t seed, uint64_t batch, uint32_t substream);

/// The instruction sets the kernels are written for. Every level gives the same numbers, bit for bit.
typedef enum slashsim_kernel_level {
    SLASHSIM_KERNEL_GENERIC = 0,  ///< portable C (SSE2 on x86-64; what the compiler vectorises elsewhere)
    SLASHSIM_KERNEL_AVX2 = 1,     ///< AVX2 intrinsics
    SLASHSIM_KERNEL_AVX512 = 2,   ///< AVX-512 F/DQ/VL intrinsics
} slashsim_kernel_level;

/// The level the kernels use (the best the machine has, unless forced).
slashsim_kernel_level slashsim_kernel_level_in_use(void);

/// The best level this machine supports.
slashsim_kernel_level slashsim_best_kernel_level(void);

/// Forces a level, capped at the machine's best (for tests and benchmarks). Returns the level in force.
slashsim_kernel_level slashsim_set_kernel_level(slashsim_kernel_level level);

/// What the conditional path's decisions read and write, fixed for a worker: the model's arrays, the Φ grid,
/// the worker's scratch and accumulators. Every pointer stays valid for the worker's life.
typedef struct slashsim_conditional_pass {
    size_t n;                   ///< operators
    size_t k;                   ///< common factors
    const double *loadings;     ///< A, n×k column-major (unused when k = 0)
    const double *c;            ///< thresholds c_i (copula quantiles of p_i)
    const double *inverse_b;    ///< 1/b_i
    const double *loss;         ///< loss if operator i faults
    const double *table;        ///< Φ on the grid lowest + j/points_per_unit
    size_t table_count;
    double lowest;
    double points_per_unit;
    double *shift;              ///< scratch: a_i·F per operator and trial of a call (n·trials)
    uint8_t *codes;             ///< scratch: n bytes
    int32_t *flagged;           ///< scratch: max(n, 2)·trials entries (AVX2/AVX-512: a bit mask per operator and trial)
    int64_t *counts;            ///< out: faults per operator (added to)
    double *totals;             ///< out: loss per trial of a call
    int32_t *fault_offsets;     ///< out with lists: trials + 1 entries
    int32_t *fault_indices;     ///< out with lists: room for n·trials
    const double *loadings_rows; ///< A by rows (operator i's loadings at i·k), for recomputing a flagged operator's shift
    const float *loadings_f;    ///< A, c and 1/b in floats, for the AVX2 and AVX-512 flag passes
    const float *c_f;
    const float *inverse_b_f;
    double slack_per_factor;    ///< A = max_i (1/b_i)·(k + 3)·2⁻²⁴·Σ_f |a_if|·1.01 (see `conditional_slack`)
    double slack_per_scale;     ///< C = max_i (1/b_i)·4·2⁻²⁴·|c_i|·1.01 over the finite c_i
} slashsim_conditional_pass;

/// The fault decisions of the conditional path for `trials` (at most a batch, 1,024) trials (row t of `u` at
/// t·n): operator i faults in trial t when u[t·n + i] < Φ((c[i]·scale[t] − shift)·inverse_b[i]),
/// shift = a_i·F_t from the loadings and `factors` (F_t at factors[t·k ..< t·k + k]), computed as a_i0·F_0 and
/// then fma(a_if, F_f, ·) for f = 1 … k−1 (0 when k = 0) on every level; decided against the Φ grid and, when
/// the grid cannot decide, by 0.5·erfc(−x/√2) exactly as `NormalDistribution.cdf`. Adds loss[i] to totals[t]
/// (in operator order) and 1 to counts[i] for each fault. `scale` (per trial; NULL means 1) is the Student t
/// copula's √W. With `lists`, the faulting operators of trial t are written, ascending, to
/// fault_indices[fault_offsets[t] ..< fault_offsets[t + 1]].
void slashsim_conditional_faults(const slashsim_conditional_pass *pass, const double *u, const double *factors, size_t trials,
                                 const double *scale, int lists);

/// What the dense forms' fault pass reads and writes, fixed for a worker.
typedef struct slashsim_threshold_pass {
    size_t n;                   ///< operators
    const double *c;            ///< thresholds
    const double *loss;         ///< loss if operator j faults
    int64_t *counts;            ///< out: faults per operator (added to)
    double *totals;             ///< out: loss per trial of a call
    int32_t *faults;            ///< scratch: n entries
    int32_t *fault_offsets;     ///< out with lists: trials + 1 entries
    int32_t *fault_indices;     ///< out with lists: room for n·trials
} slashsim_threshold_pass;

/// The dense forms' faults for `trials` trials (column t of Z at z[t·n ..< t·n + n]): operator j faults in
/// trial t when z[t·n + j] < c[j]·scale[t] (`scale` NULL means 1: the Gaussian copula). Adds loss[j] to
/// totals[t] in operator order and 1 to counts[j] for each fault. With `lists`, the faulting operators of
/// trial t are also written, ascending, to fault_indices[fault_offsets[t] ..< fault_offsets[t + 1]].
void slashsim_threshold_faults(const slashsim_threshold_pass *pass, const double *z, size_t trials, const double *scale, int lists);

/// Single precision, step 1: e (n×trials, column-major, double normals) rounded to floats in `single`, and each
/// column's Euclidean norm (in double) in norms[t].
void slashsim_single_inputs(const double *e, float *single, double *norms, size_t n, size_t trials);

/// Single precision, step 3, after `single` := L·single by strmm: the latents in `e`, in place of the normals.
/// Where the float latent is farther from the threshold c[j]·scale[t] than its rounding error can be (the
/// bound (j + 4)·2⁻²⁴·1.001·‖e_t‖ + 10⁻³⁰: the rounding of e and L to floats and a float dot product of j + 1
/// terms, with ‖L_j‖ = 1 for the Cholesky factor of a correlation matrix), it is used as is: its side of
/// the threshold is the exact latent's side. Otherwise the latent is recomputed in double from the row-major
/// factor `rows` (row j at j·n): the double path's decision, up to the summation order's last bits.
/// Returns how many latents were recomputed; adds to *flips (unless NULL) how many of those the float value
/// alone would have put on the wrong side of the threshold.
int64_t slashsim_single_latents(const float *single, double *e, const double *rows, size_t n, size_t trials, const double *c,
                                const double *scale, const double *norms, int64_t *flips);

#endif
