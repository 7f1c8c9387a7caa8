// The conditional path's fault decisions. Per trial: the shifts a_i·F (a_i0·F_0, then fma(a_if, F_f, ·) for
// f = 1 … k−1: the same operations on every level, so the decisions do not depend on the level or the BLAS),
// a vectorised pass listing the operators that may fault (generic: their uniform below the Φ grid's value
// above their argument, or an argument off the grid; AVX2 and AVX-512: their argument not below the floor of
// their uniform's bin), then a scalar pass in operator order that decides the listed ones exactly (the
// grid's values below and above, erfc in between) and adds up the losses, so the decisions and sums are
// the same on every instruction set.
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <math.h>
#include <string.h>
#include <pthread.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// The cell j of the Φ grid that holds t (clamped to the grid, so table[j] and table[j + 1] exist); returns
/// whether t is on the grid at all. One definition for every pass, so they all agree on the cell.
static inline __attribute__((always_inline)) int grid_cell(double t, double lowest, double points_per_unit, double top, int *j) {
    double x = (t - lowest) * points_per_unit;
    double clamped = x > 0 ? x : 0;
    clamped = clamped < top - 1 ? clamped : top - 1;
    *j = (int)clamped;
    return (x >= 0) & (x < top);
}

/// The grid's flag: u at or above the grid's value above Φ(t) cannot fault; everything else may (1).
static inline __attribute__((always_inline)) int may_fault(double t, double v, const double *table, double lowest,
                                                           double points_per_unit, double top) {
    int j;
    int inside = grid_cell(t, lowest, points_per_unit, top, &j);
    return inside ? v < table[j + 1] : 1;
}

// One table lookup per operator: u ≥ the grid's value above Φ(t) means no fault; everything else is flagged.
#define CLASSIFY_BODY                                                                              \
    double top = (double)(table_count - 1);                                                         \
    for (size_t i = 0; i < n; i++) {                                                                \
        double t = (c[i] * s - shift[i]) * inverse_b[i];                                            \
        codes[i] = (uint8_t)may_fault(t, u[i], table, lowest, points_per_unit, top);                \
    }

/// The flagged operators of one trial, ascending, into `flagged`; returns how many. Generic level:
/// the auto-vectorised pass writes a code per operator and a scalar loop lists the flagged ones, skipping
/// eight unflagged codes at a time (one 64-bit load).
#define FLAG_BODY                                                                                   \
    CLASSIFY_BODY                                                                                   \
    size_t count = 0;                                                                               \
    for (size_t i = 0; i < n; i++) {                                                                \
        if ((i & 7) == 0 && i + 8 <= n) {                                                           \
            uint64_t word;                                                                          \
            memcpy(&word, codes + i, sizeof word);                                                  \
            if (word == 0) { i += 7; continue; }                                                    \
        }                                                                                           \
        flagged[count] = (int32_t)i;                                                                \
        count += codes[i];                                                                          \
    }                                                                                               \
    return count;

/// a_i·F of one trial into `shift` (n entries), f-outer so that it vectorises at every level.
#define SHIFT_BODY                                                                                  \
    if (k == 0) { for (size_t i = 0; i < n; i++) shift[i] = 0; return; }                            \
    for (size_t i = 0; i < n; i++) shift[i] = a[i] * f[0];                                          \
    for (size_t g = 1; g < k; g++) {                                                                \
        const double *column = a + g * n;                                                           \
        double factor = f[g];                                                                       \
        for (size_t i = 0; i < n; i++) shift[i] = fma(column[i], factor, shift[i]);                 \
    }

static void shift_generic(const double *restrict a, size_t n, const double *restrict f, size_t k, double *restrict shift) { SHIFT_BODY }

static size_t flag_generic(const double *restrict u, const double *restrict shift, size_t n, const double *restrict c, double s, const double *restrict inverse_b,
                           const double *restrict table, size_t table_count, double lowest, double points_per_unit, uint8_t *restrict codes, int32_t *restrict flagged) {
    FLAG_BODY
}
/// The scalar decision of flagged operator i of trial t, in operator order: the double argument
/// x = (c·s − shift)·(1/b), a fault below the Φ grid's value below Φ(x), none at or above the value above it
/// (the vector flags are coarser than the grid), erfc in between; a fault adds its loss and count and is listed.
#define DECIDE_OPERATOR(SHIFT)                                                                             \
    {                                                                                                      \
        double threshold = (c[i] * s - (SHIFT)) * inverse_b[i], v = row_u[i];                              \
        int j;                                                                                             \
        int inside = grid_cell(threshold, lowest, points_per_unit, top, &j);                               \
        int fault = inside && v < table[j];                                                                \
        if (!fault && !(inside && v >= table[j + 1])) {                                                    \
            fault = !isnan(threshold) && v < 0.5 * erfc(-threshold * 0.7071067811865475244);               \
        }                                                                                                  \
        if (fault) {                                                                                       \
            total += loss[i];                                                                              \
            counts[i] += 1;                                                                                \
            if (fault_indices) fault_indices[listed++] = (int32_t)i;                                       \
        }                                                                                                  \
    }

#if defined(__x86_64__)

/// The AVX-512 flag needs no table lookup per operator: u's exponent and first mantissa bit place it in
/// one of 32 bins [2^E·(1 + m/2), 2^E·(1 + (m+1)/2)), E = −16 … −1 (bin 0 also takes every u below
/// 2⁻¹⁶), and `bin_floor[b]` is a t below which Φ(t) is below the bin's lower edge, so t < bin_floor[b]
/// proves u ≥ Φ(t): no fault. Everything else is flagged (about 1.3 times the faulting operators) and
/// decided exactly in the scalar pass. Found by bisection on the same Φ as the decisions
/// (0.5·erfc(−t/√2)), lowered by 10⁻⁶ and rounded down to a float; bin 0 is −∞ (always flagged).
static float bin_floor[32];
static pthread_once_t bin_floor_once = PTHREAD_ONCE_INIT;

static void compute_bin_floor(void) {
    bin_floor[0] = -INFINITY;
    for (int b = 1; b < 32; b++) {
        double edge = ldexp(1.0 + 0.5 * (b % 2), b / 2 - 16);
        double lo = -40, hi = 10;  // Φ(lo) < edge ≤ Φ(hi)
        for (int k = 0; k < 200; k++) {
            double mid = 0.5 * (lo + hi);
            if (0.5 * erfc(-mid * 0.7071067811865475244) >= edge) hi = mid; else lo = mid;
        }
        bin_floor[b] = nextafterf((float)(lo - 1e-6), -INFINITY);
    }
}

/// The operators from `first` on (fewer than a vector), one at a time: the shifts in double (a_i0·F_0, then
/// fma), and the grid's flag as bit i % 8 of byte i / 8 of trial t's mask row (masks + t·stride). Inlined into
/// each vector pass, so `fma` is the instruction.
static inline __attribute__((always_inline))
void flag_remaining_operators(size_t first, const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                              size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                              const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                              double points_per_unit, uint8_t *restrict masks, size_t stride) {
    double top = (double)(table_count - 1);
    for (size_t i = first; i < n; i++) {
        for (size_t t = 0; t < trials; t++) {
            const double *f = factors + t * k;
            double shifted = 0;
            if (k > 0) {
                shifted = a[i] * f[0];
                for (size_t g = 1; g < k; g++) shifted = fma(a[g * n + i], f[g], shifted);
            }
            double x = (c[i] * (scale ? scale[t] : 1.0) - shifted) * inverse_b[i];
            masks[t * stride + i / 8] |= (uint8_t)(may_fault(x, u[t * n + i], table, lowest, points_per_unit, top) << (i % 8));
        }
    }
}

/// The float flag passes' arguments: the model in floats and, per trial, its factors in floats and the slack
/// that makes the float argument an upper bound of the double one.
typedef struct float_flags {
    const float *a, *c, *inverse_b;  // loadings (column-major, f-th column at f·n), thresholds, 1/b
    const float *factors;           // F_t in floats, row t at t·k
    const float *scale;             // √W_t in floats (NULL: 1)
    const float *slack;             // δ_t
} float_flags;

/// AVX-512, all trials of a chunk in one pass, sixteen operators at a time in floats: x̃ = (c·s − a·F)·(1/b)
/// with a_i0·F_0 then fused multiply-adds, raised to x̃ + 6u|x̃| + δ_t (u = 2⁻²⁴; δ_t from the trial's largest
/// factor and scale: see `conditional_slack`), which is at least the double path's argument x; then u's bin
/// (exponent and first mantissa bit) and the bin's floor from one two-register permute; operators whose raised
/// argument is not below the floor are flagged: the 16-bit mask stored as two bytes of trial t's mask row
/// (masks + t·stride, bit i % 8 of byte i / 8). Since x < floor proves no fault, flagging every operator whose
/// upper bound reaches the floor flags every fault; the scalar pass decides them in double.
__attribute__((target("avx512f,avx512dq,avx512vl,fma"))) static inline __attribute__((always_inline))
void flag_trials_avx512_k(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                          size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                          const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                          double points_per_unit, const float_flags *restrict fl, uint8_t *restrict masks, size_t stride) {
    pthread_once(&bin_floor_once, compute_bin_floor);
    const __m512 floors_low = _mm512_loadu_ps(bin_floor), floors_high = _mm512_loadu_ps(bin_floor + 16);
    const __m512i first_bin = _mm512_set1_epi64(2 * (1023 - 16)), zero = _mm512_setzero_si512(), last_bin = _mm512_set1_epi64(31);
    const __m512 rounding = _mm512_set1_ps(6.0f / 16777216.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 cv = _mm512_loadu_ps(fl->c + i), bv = _mm512_loadu_ps(fl->inverse_b + i);
        for (size_t t = 0; t < trials; t++) {
            const float *f = fl->factors + t * k;
            __m512 shifted = _mm512_setzero_ps();
            if (k > 0) {
                shifted = _mm512_mul_ps(_mm512_loadu_ps(fl->a + i), _mm512_set1_ps(f[0]));
                for (size_t g = 1; g < k; g++) shifted = _mm512_fmadd_ps(_mm512_loadu_ps(fl->a + g * n + i), _mm512_set1_ps(f[g]), shifted);
            }
            __m512 vs = _mm512_set1_ps(fl->scale ? fl->scale[t] : 1.0f);
            __m512 x = _mm512_mul_ps(_mm512_sub_ps(_mm512_mul_ps(cv, vs), shifted), bv);
            __m512 raised = _mm512_add_ps(x, _mm512_fmadd_ps(_mm512_abs_ps(x), rounding, _mm512_set1_ps(fl->slack[t])));
            // (exponent field, first mantissa bit) of u, as a bin number 0 … 31, sixteen of them.
            const double *row = u + t * n + i;
            __m512i bin0 = _mm512_sub_epi64(_mm512_srli_epi64(_mm512_castpd_si512(_mm512_loadu_pd(row)), 51), first_bin);
            __m512i bin1 = _mm512_sub_epi64(_mm512_srli_epi64(_mm512_castpd_si512(_mm512_loadu_pd(row + 8)), 51), first_bin);
            bin0 = _mm512_min_epi64(_mm512_max_epi64(bin0, zero), last_bin);
            bin1 = _mm512_min_epi64(_mm512_max_epi64(bin1, zero), last_bin);
            __m512i bins = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(bin0)), _mm512_cvtepi64_epi32(bin1), 1);
            __m512 floor32 = _mm512_permutex2var_ps(floors_low, bins, floors_high);
            __mmask16 flag = _mm512_cmp_ps_mask(raised, floor32, _CMP_GE_OQ) | _mm512_cmp_ps_mask(raised, raised, _CMP_UNORD_Q);
            uint16_t bits = (uint16_t)flag;
            memcpy(masks + t * stride + i / 8, &bits, sizeof bits);
        }
    }
    flag_remaining_operators(i, u, a, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest,
                             points_per_unit, masks, stride);
}

/// `flag_trials_avx512_k` with k a constant for k ≤ 16, so that the loop over the factors unrolls.
__attribute__((target("avx512f,avx512dq,avx512vl,fma")))
static void flag_trials_avx512(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                               size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                               const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                               double points_per_unit, const float_flags *restrict fl, uint8_t *restrict masks, size_t stride) {
#define FLAG_TRIALS_CASE(K) \
    case K: flag_trials_avx512_k(u, a, factors, K, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, fl, masks, stride); break;
    switch (k) {
    FLAG_TRIALS_CASE(0) FLAG_TRIALS_CASE(1) FLAG_TRIALS_CASE(2) FLAG_TRIALS_CASE(3) FLAG_TRIALS_CASE(4) FLAG_TRIALS_CASE(5)
    FLAG_TRIALS_CASE(6) FLAG_TRIALS_CASE(7) FLAG_TRIALS_CASE(8) FLAG_TRIALS_CASE(9) FLAG_TRIALS_CASE(10) FLAG_TRIALS_CASE(11)
    FLAG_TRIALS_CASE(12) FLAG_TRIALS_CASE(13) FLAG_TRIALS_CASE(14) FLAG_TRIALS_CASE(15) FLAG_TRIALS_CASE(16)
    default: flag_trials_avx512_k(u, a, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, fl, masks, stride);
    }
#undef FLAG_TRIALS_CASE
}

/// AVX2, the AVX-512 pass eight operators at a time: the same float argument, slack and bins; the bin's floor
/// from four in-register permutes of the 32-entry table and three selections (no gather); the 8-bit mask stored
/// as byte i / 8 of trial t's mask row.
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline))
void flag_trials_avx2_k(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                        size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                        const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                        double points_per_unit, const float_flags *restrict fl, uint8_t *restrict masks, size_t stride) {
    pthread_once(&bin_floor_once, compute_bin_floor);
    const __m256 floors0 = _mm256_loadu_ps(bin_floor), floors1 = _mm256_loadu_ps(bin_floor + 8);
    const __m256 floors2 = _mm256_loadu_ps(bin_floor + 16), floors3 = _mm256_loadu_ps(bin_floor + 24);
    const __m256i first_bin = _mm256_set1_epi64x(2 * (1023 - 16)), zero = _mm256_setzero_si256(), last_bin = _mm256_set1_epi32(31);
    // The low dwords of the two vectors of four 64-bit bins, in lane order: dwords 0, 2, 4, 6 of each.
    const __m256i low_dwords = _mm256_set_epi32(6, 4, 2, 0, 6, 4, 2, 0);
    const __m256 rounding = _mm256_set1_ps(6.0f / 16777216.0f);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 cv = _mm256_loadu_ps(fl->c + i), bv = _mm256_loadu_ps(fl->inverse_b + i);
        for (size_t t = 0; t < trials; t++) {
            const float *f = fl->factors + t * k;
            __m256 shifted = _mm256_setzero_ps();
            if (k > 0) {
                shifted = _mm256_mul_ps(_mm256_loadu_ps(fl->a + i), _mm256_set1_ps(f[0]));
                for (size_t g = 1; g < k; g++) shifted = _mm256_fmadd_ps(_mm256_loadu_ps(fl->a + g * n + i), _mm256_set1_ps(f[g]), shifted);
            }
            __m256 vs = _mm256_set1_ps(fl->scale ? fl->scale[t] : 1.0f);
            __m256 x = _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(cv, vs), shifted), bv);
            __m256 raised = _mm256_add_ps(x, _mm256_fmadd_ps(_mm256_andnot_ps(sign, x), rounding, _mm256_set1_ps(fl->slack[t])));
            // (exponent field, first mantissa bit) of u as a bin 0 … 31 in the low dword of each 64-bit lane,
            // then the eight bins packed into dwords 0 … 7.
            const double *row = u + t * n + i;
            __m256i bin0 = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_castpd_si256(_mm256_loadu_pd(row)), 51), first_bin);
            __m256i bin1 = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_castpd_si256(_mm256_loadu_pd(row + 4)), 51), first_bin);
            bin0 = _mm256_permutevar8x32_epi32(bin0, low_dwords);
            bin1 = _mm256_permutevar8x32_epi32(bin1, low_dwords);
            __m256i bin = _mm256_blend_epi32(bin0, bin1, 0xF0);
            bin = _mm256_min_epi32(_mm256_max_epi32(bin, zero), last_bin);
            __m256 low = _mm256_blendv_ps(_mm256_permutevar8x32_ps(floors0, bin), _mm256_permutevar8x32_ps(floors1, bin),
                                          _mm256_castsi256_ps(_mm256_slli_epi32(bin, 28)));
            __m256 high = _mm256_blendv_ps(_mm256_permutevar8x32_ps(floors2, bin), _mm256_permutevar8x32_ps(floors3, bin),
                                           _mm256_castsi256_ps(_mm256_slli_epi32(bin, 28)));
            __m256 floor32 = _mm256_blendv_ps(low, high, _mm256_castsi256_ps(_mm256_slli_epi32(bin, 27)));
            masks[t * stride + i / 8] = (uint8_t)_mm256_movemask_ps(_mm256_cmp_ps(raised, floor32, _CMP_NLT_UQ));
        }
    }
    flag_remaining_operators(i, u, a, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest,
                             points_per_unit, masks, stride);
}

/// `flag_trials_avx2_k` with k a constant for k ≤ 16, so that the loop over the factors unrolls.
__attribute__((target("avx2,fma")))
static void flag_trials_avx2(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                             size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                             const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                             double points_per_unit, const float_flags *restrict fl, uint8_t *restrict masks, size_t stride) {
#define FLAG_TRIALS_CASE(K) \
    case K: flag_trials_avx2_k(u, a, factors, K, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, fl, masks, stride); break;
    switch (k) {
    FLAG_TRIALS_CASE(0) FLAG_TRIALS_CASE(1) FLAG_TRIALS_CASE(2) FLAG_TRIALS_CASE(3) FLAG_TRIALS_CASE(4) FLAG_TRIALS_CASE(5)
    FLAG_TRIALS_CASE(6) FLAG_TRIALS_CASE(7) FLAG_TRIALS_CASE(8) FLAG_TRIALS_CASE(9) FLAG_TRIALS_CASE(10) FLAG_TRIALS_CASE(11)
    FLAG_TRIALS_CASE(12) FLAG_TRIALS_CASE(13) FLAG_TRIALS_CASE(14) FLAG_TRIALS_CASE(15) FLAG_TRIALS_CASE(16)
    default: flag_trials_avx2_k(u, a, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, fl, masks, stride);
    }
#undef FLAG_TRIALS_CASE
}

/// a_i·F_t in double, as the vector passes once stored it: a_i0·F_0, then fma(a_if, F_f, ·), from operator i's
/// row of loadings (`rows` + i·k: one or two cache lines, where the column-major loadings spread over k).
__attribute__((target("fma"))) static inline __attribute__((always_inline))
double shift_of(const double *restrict rows, size_t i, const double *restrict f, size_t k) {
    if (k == 0) return 0;
    const double *a = rows + i * k;
    double shifted = a[0] * f[0];
    for (size_t g = 1; g < k; g++) shifted = fma(a[g], f[g], shifted);
    return shifted;
}

/// The decisions after a float flag pass: each trial's mask row scanned eight bytes at a time (a zero word
/// skips 64 operators), the set bits in operator order, each operator's shift recomputed in double (fma is the
/// instruction here).
__attribute__((target("fma")))
static void decide_flagged_masks(const double *restrict u, const double *restrict rows, const double *restrict factors, size_t k, size_t n,
                                 size_t trials, const double *restrict c, const double *restrict scale, const double *restrict inverse_b,
                                 const double *restrict loss, const double *restrict table, size_t table_count, double lowest,
                                 double points_per_unit, const uint8_t *restrict masks, size_t stride, int64_t *restrict counts,
                                 double *restrict totals, int32_t *restrict fault_offsets, int32_t *restrict fault_indices) {
    int32_t listed = 0;
    if (fault_offsets) fault_offsets[0] = 0;
    double top = (double)(table_count - 1);
    for (size_t t = 0; t < trials; t++) {
        const double *row_u = u + t * n;
        const double *f = factors + t * k;
        const uint8_t *row = masks + t * stride;
        double s = scale ? scale[t] : 1.0;
        double total = 0;
        for (size_t w = 0; w < stride; w += 8) {
            uint64_t word;
            memcpy(&word, row + w, sizeof word);
            while (word) {
                size_t i = 8 * w + (size_t)__builtin_ctzll(word);
                word &= word - 1;
                DECIDE_OPERATOR(shift_of(rows, i, f, k))
            }
        }
        totals[t] = total;
        if (fault_offsets) fault_offsets[t + 1] = listed;
    }
}

/// The float passes' per-trial inputs: F_t and √W_t as floats, and the slack δ_t = A·max_f |F_tf| + C·s_t + 10⁻⁶,
/// where A = max_i (1/b_i)·(k + 3)·2⁻²⁴·Σ_f |a_if|·1.01 and C = max_i (1/b_i)·4·2⁻²⁴·|c_i|·1.01 (the pass's
/// `slack_per_factor`, `slack_per_scale`) bound the rounding of the loadings, factors, thresholds and scale to
/// floats and of the float dot product (a k-term fma chain), and 6·2⁻²⁴·|x̃| (added in the pass) that of the
/// subtraction, the product by 1/b and the raising itself: x̃ + 6·2⁻²⁴·|x̃| + δ_t ≥ x, the double argument.
static void conditional_slack(const slashsim_conditional_pass *pass, const double *factors, size_t trials, const double *scale,
                              float *factors_f, float *scale_f, float *slack) {
    const size_t k = pass->k;
    for (size_t t = 0; t < trials; t++) {
        double largest = 0;
        for (size_t g = 0; g < k; g++) {
            double f = factors[t * k + g];
            factors_f[t * k + g] = (float)f;
            largest = fabs(f) > largest ? fabs(f) : largest;
        }
        double s = scale ? scale[t] : 1.0;
        if (scale) scale_f[t] = (float)s;
        double delta = pass->slack_per_factor * largest + pass->slack_per_scale * fabs(s) + 1e-6;
        // Rounded up to a float, so the slack is never smaller than computed.
        float rounded = (float)delta;
        slack[t] = (double)rounded < delta ? nextafterf(rounded, INFINITY) : rounded;
    }
}
#endif

void slashsim_conditional_faults(const slashsim_conditional_pass *pass, const double *u, const double *factors, size_t trials,
                                 const double *scale, int lists) {
    const size_t n = pass->n, k = pass->k, table_count = pass->table_count;
    const double *loadings = pass->loadings, *c = pass->c, *inverse_b = pass->inverse_b, *loss = pass->loss, *table = pass->table;
    const double lowest = pass->lowest, points_per_unit = pass->points_per_unit;
    double *shift = pass->shift, *totals = pass->totals;
    uint8_t *codes = pass->codes;
    int32_t *flagged = pass->flagged;
    int64_t *counts = pass->counts;
    int32_t *fault_offsets = lists ? pass->fault_offsets : NULL, *fault_indices = lists ? pass->fault_indices : NULL;
    slashsim_kernel_level level = slashsim_kernel_level_in_use();
#if defined(__x86_64__)
    if (level == SLASHSIM_KERNEL_AVX512 || level == SLASHSIM_KERNEL_AVX2) {
        float factors_f[trials * k > 0 ? trials * k : 1], scale_f[trials > 0 ? trials : 1], slack[trials > 0 ? trials : 1];
        conditional_slack(pass, factors, trials, scale, factors_f, scale_f, slack);
        float_flags fl = {pass->loadings_f, pass->c_f, pass->inverse_b_f, factors_f, scale ? scale_f : NULL, slack};
        // One mask row per trial, a bit per operator, padded to whole 64-bit words (in the flag list's room:
        // n·trials int32 entries hold trials·⌈n/64⌉·8 bytes).
        size_t stride = (n + 63) / 64 * 8;
        uint8_t *masks = (uint8_t *)flagged;
        memset(masks, 0, trials * stride);
        if (level == SLASHSIM_KERNEL_AVX512) {
            flag_trials_avx512(u, loadings, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, &fl,
                               masks, stride);
        } else {
            flag_trials_avx2(u, loadings, factors, k, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, &fl,
                             masks, stride);
        }
        decide_flagged_masks(u, pass->loadings_rows, factors, k, n, trials, c, scale, inverse_b, loss, table, table_count, lowest, points_per_unit,
                             masks, stride, counts, totals, fault_offsets, fault_indices);
        return;
    }
#endif
    (void)level;
    size_t flag_counts[trials > 0 ? trials : 1];
    for (size_t t = 0; t < trials; t++) {
        shift_generic(loadings, n, factors + t * k, k, shift + t * n);
        flag_counts[t] = flag_generic(u + t * n, shift + t * n, n, c, scale ? scale[t] : 1.0, inverse_b, table, table_count,
                                      lowest, points_per_unit, codes, flagged + t * n);
    }
    int32_t listed = 0;
    if (fault_offsets) fault_offsets[0] = 0;
    double top = (double)(table_count - 1);
    for (size_t t = 0; t < trials; t++) {
        const double *row_u = u + t * n, *row_shift = shift + t * n;
        const int32_t *row_flagged = flagged + t * n;
        double s = scale ? scale[t] : 1.0;
        double total = 0;
        for (size_t q = 0; q < flag_counts[t]; q++) {
            size_t i = (size_t)row_flagged[q];
            DECIDE_OPERATOR(row_shift[i])
        }
        totals[t] = total;
        if (fault_offsets) fault_offsets[t + 1] = listed;
    }
}
