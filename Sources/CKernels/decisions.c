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

/// The operators from `first` on (fewer than a vector), one at a time: the vector passes' shifts
/// (a_i0·F_0, then fma), and the grid's flag. Inlined into each vector pass, so `fma` is the instruction.
static inline __attribute__((always_inline))
void flag_remaining_operators(size_t first, const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                              double *restrict shift, size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                              const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                              double points_per_unit, int32_t *restrict flagged, size_t *restrict count) {
    double top = (double)(table_count - 1);
    for (size_t i = first; i < n; i++) {
        for (size_t t = 0; t < trials; t++) {
            const double *f = factors + t * k;
            double shifted = 0;
            if (k > 0) {
                shifted = a[i] * f[0];
                for (size_t g = 1; g < k; g++) shifted = fma(a[g * n + i], f[g], shifted);
            }
            shift[t * n + i] = shifted;
            double x = (c[i] * (scale ? scale[t] : 1.0) - shifted) * inverse_b[i];
            flagged[t * n + count[t]] = (int32_t)i;
            count[t] += (size_t)may_fault(x, u[t * n + i], table, lowest, points_per_unit, top);
        }
    }
}

/// AVX-512, all trials of a chunk in one pass, operators outer: for eight operators the shifts of every
/// trial (a_i0·F_0 then fused multiply-adds, as `SHIFT_BODY`; written to `shift` for the scalar pass, row t
/// at t·n), then t, then the flag from u's bin (one in-register permute, no gather), and the flagged
/// operators' indices compressed into trial t's list (flagged + t·n; the register form of vpcompressd,
/// since its memory form is slow on some processors). The loadings of eight operators stay in L1 across
/// the trials, where a BLAS multiply per chunk packed them every call. Writes up to eight entries past a
/// list's count, within its n.
__attribute__((target("avx512f,avx512dq,avx512vl,fma"))) static inline __attribute__((always_inline))
void flag_trials_avx512_k(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                          double *restrict shift, size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                          const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                          double points_per_unit, int32_t *restrict flagged, size_t *restrict count) {
    pthread_once(&bin_floor_once, compute_bin_floor);
    const __m512 floors_low = _mm512_loadu_ps(bin_floor), floors_high = _mm512_loadu_ps(bin_floor + 16);
    const __m512i first_bin = _mm512_set1_epi64(2 * (1023 - 16)), zero = _mm512_setzero_si512(), last_bin = _mm512_set1_epi64(31);
    const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    for (size_t t = 0; t < trials; t++) count[t] = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512d cv = _mm512_loadu_pd(c + i), bv = _mm512_loadu_pd(inverse_b + i);
        const __m256i indices = _mm256_add_epi32(iota, _mm256_set1_epi32((int)i));
        for (size_t t = 0; t < trials; t++) {
            const double *f = factors + t * k;
            __m512d shifted = _mm512_setzero_pd();
            if (k > 0) {
                shifted = _mm512_mul_pd(_mm512_loadu_pd(a + i), _mm512_set1_pd(f[0]));
                for (size_t g = 1; g < k; g++) shifted = _mm512_fmadd_pd(_mm512_loadu_pd(a + g * n + i), _mm512_set1_pd(f[g]), shifted);
            }
            _mm512_storeu_pd(shift + t * n + i, shifted);
            __m512d vs = _mm512_set1_pd(scale ? scale[t] : 1.0);
            __m512d x = _mm512_mul_pd(_mm512_sub_pd(_mm512_mul_pd(cv, vs), shifted), bv);
            // (exponent field, first mantissa bit) of u, as a bin number 0 … 31.
            __m512i bin = _mm512_sub_epi64(_mm512_srli_epi64(_mm512_castpd_si512(_mm512_loadu_pd(u + t * n + i)), 51), first_bin);
            bin = _mm512_min_epi64(_mm512_max_epi64(bin, zero), last_bin);
            __m512 floor32 = _mm512_permutex2var_ps(floors_low, _mm512_castsi256_si512(_mm512_cvtepi64_epi32(bin)), floors_high);
            __mmask8 flag = _mm512_cmp_pd_mask(x, _mm512_cvtps_pd(_mm512_castps512_ps256(floor32)), _CMP_GE_OQ);
            _mm256_storeu_si256((__m256i *)(flagged + t * n + count[t]), _mm256_maskz_compress_epi32(flag, indices));
            count[t] += (size_t)__builtin_popcount(flag);
        }
    }
    flag_remaining_operators(i, u, a, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest,
                             points_per_unit, flagged, count);
}

/// `flag_trials_avx512_k` with k a constant for k ≤ 16, so that the loop over the factors unrolls.
__attribute__((target("avx512f,avx512dq,avx512vl,fma")))
static void flag_trials_avx512(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                               double *restrict shift, size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                               const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                               double points_per_unit, int32_t *restrict flagged, size_t *restrict count) {
#define FLAG_TRIALS_CASE(K) \
    case K: flag_trials_avx512_k(u, a, factors, K, shift, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, flagged, count); break;
    switch (k) {
    FLAG_TRIALS_CASE(0) FLAG_TRIALS_CASE(1) FLAG_TRIALS_CASE(2) FLAG_TRIALS_CASE(3) FLAG_TRIALS_CASE(4) FLAG_TRIALS_CASE(5)
    FLAG_TRIALS_CASE(6) FLAG_TRIALS_CASE(7) FLAG_TRIALS_CASE(8) FLAG_TRIALS_CASE(9) FLAG_TRIALS_CASE(10) FLAG_TRIALS_CASE(11)
    FLAG_TRIALS_CASE(12) FLAG_TRIALS_CASE(13) FLAG_TRIALS_CASE(14) FLAG_TRIALS_CASE(15) FLAG_TRIALS_CASE(16)
    default: flag_trials_avx512_k(u, a, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, flagged, count);
    }
#undef FLAG_TRIALS_CASE
}

/// For each 4-bit mask, the lanes it selects, in order (AVX2 has no compress instruction).
static const int32_t compress_lanes4[16][4] = {
    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0}, {1, 2, 0, 0}, {0, 1, 2, 0},
    {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0}, {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3},
};

/// AVX2, the AVX-512 pass four operators at a time: the same shifts, t and bins; the bin's floor from four
/// in-register permutes of the 32-entry table and two selections (no gather); the flagged indices
/// compressed through `compress_lanes4`. The same flags as the AVX-512 pass, so the same decisions. Writes up
/// to four entries past a list's count, within its n.
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline))
void flag_trials_avx2_k(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                        double *restrict shift, size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                        const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                        double points_per_unit, int32_t *restrict flagged, size_t *restrict count) {
    pthread_once(&bin_floor_once, compute_bin_floor);
    const __m256 floors0 = _mm256_loadu_ps(bin_floor), floors1 = _mm256_loadu_ps(bin_floor + 8);
    const __m256 floors2 = _mm256_loadu_ps(bin_floor + 16), floors3 = _mm256_loadu_ps(bin_floor + 24);
    const __m256i first_bin = _mm256_set1_epi64x(2 * (1023 - 16)), zero = _mm256_setzero_si256(), last_bin = _mm256_set1_epi32(31);
    const __m256i even_dwords = _mm256_set_epi32(7, 5, 3, 1, 6, 4, 2, 0);
    for (size_t t = 0; t < trials; t++) count[t] = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d cv = _mm256_loadu_pd(c + i), bv = _mm256_loadu_pd(inverse_b + i);
        const __m128i base = _mm_set1_epi32((int)i);
        for (size_t t = 0; t < trials; t++) {
            const double *f = factors + t * k;
            __m256d shifted = _mm256_setzero_pd();
            if (k > 0) {
                shifted = _mm256_mul_pd(_mm256_loadu_pd(a + i), _mm256_set1_pd(f[0]));
                for (size_t g = 1; g < k; g++) shifted = _mm256_fmadd_pd(_mm256_loadu_pd(a + g * n + i), _mm256_set1_pd(f[g]), shifted);
            }
            _mm256_storeu_pd(shift + t * n + i, shifted);
            __m256d vs = _mm256_set1_pd(scale ? scale[t] : 1.0);
            __m256d x = _mm256_mul_pd(_mm256_sub_pd(_mm256_mul_pd(cv, vs), shifted), bv);
            // (exponent field, first mantissa bit) of u as a bin 0 … 31, in the low dword of each lane, then
            // the four bins packed into dwords 0 … 3.
            __m256i bin = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_castpd_si256(_mm256_loadu_pd(u + t * n + i)), 51), first_bin);
            bin = _mm256_min_epi32(_mm256_max_epi32(bin, zero), last_bin);
            bin = _mm256_permutevar8x32_epi32(bin, even_dwords);
            __m256 low = _mm256_blendv_ps(_mm256_permutevar8x32_ps(floors0, bin), _mm256_permutevar8x32_ps(floors1, bin),
                                          _mm256_castsi256_ps(_mm256_slli_epi32(bin, 28)));
            __m256 high = _mm256_blendv_ps(_mm256_permutevar8x32_ps(floors2, bin), _mm256_permutevar8x32_ps(floors3, bin),
                                           _mm256_castsi256_ps(_mm256_slli_epi32(bin, 28)));
            __m256 floor32 = _mm256_blendv_ps(low, high, _mm256_castsi256_ps(_mm256_slli_epi32(bin, 27)));
            int flag = _mm256_movemask_pd(_mm256_cmp_pd(x, _mm256_cvtps_pd(_mm256_castps256_ps128(floor32)), _CMP_GE_OQ));
            __m128i lanes = _mm_loadu_si128((const __m128i *)compress_lanes4[flag]);
            _mm_storeu_si128((__m128i *)(flagged + t * n + count[t]), _mm_add_epi32(lanes, base));
            count[t] += (size_t)__builtin_popcount(flag);
        }
    }
    flag_remaining_operators(i, u, a, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest,
                             points_per_unit, flagged, count);
}

/// `flag_trials_avx2_k` with k a constant for k ≤ 16, so that the loop over the factors unrolls.
__attribute__((target("avx2,fma")))
static void flag_trials_avx2(const double *restrict u, const double *restrict a, const double *restrict factors, size_t k,
                             double *restrict shift, size_t n, size_t trials, const double *restrict c, const double *restrict scale,
                             const double *restrict inverse_b, const double *restrict table, size_t table_count, double lowest,
                             double points_per_unit, int32_t *restrict flagged, size_t *restrict count) {
#define FLAG_TRIALS_CASE(K) \
    case K: flag_trials_avx2_k(u, a, factors, K, shift, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, flagged, count); break;
    switch (k) {
    FLAG_TRIALS_CASE(0) FLAG_TRIALS_CASE(1) FLAG_TRIALS_CASE(2) FLAG_TRIALS_CASE(3) FLAG_TRIALS_CASE(4) FLAG_TRIALS_CASE(5)
    FLAG_TRIALS_CASE(6) FLAG_TRIALS_CASE(7) FLAG_TRIALS_CASE(8) FLAG_TRIALS_CASE(9) FLAG_TRIALS_CASE(10) FLAG_TRIALS_CASE(11)
    FLAG_TRIALS_CASE(12) FLAG_TRIALS_CASE(13) FLAG_TRIALS_CASE(14) FLAG_TRIALS_CASE(15) FLAG_TRIALS_CASE(16)
    default: flag_trials_avx2_k(u, a, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest, points_per_unit, flagged, count);
    }
#undef FLAG_TRIALS_CASE
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
    size_t flag_counts[trials > 0 ? trials : 1];
    switch (slashsim_kernel_level_in_use()) {
#if defined(__x86_64__)
    case SLASHSIM_KERNEL_AVX512:
        flag_trials_avx512(u, loadings, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest,
                           points_per_unit, flagged, flag_counts);
        break;
    case SLASHSIM_KERNEL_AVX2:
        flag_trials_avx2(u, loadings, factors, k, shift, n, trials, c, scale, inverse_b, table, table_count, lowest,
                         points_per_unit, flagged, flag_counts);
        break;
#endif
    default:
        for (size_t t = 0; t < trials; t++) {
            shift_generic(loadings, n, factors + t * k, k, shift + t * n);
            flag_counts[t] = flag_generic(u + t * n, shift + t * n, n, c, scale ? scale[t] : 1.0, inverse_b, table, table_count,
                                          lowest, points_per_unit, codes, flagged + t * n);
        }
    }
    int32_t listed = 0;
    if (fault_offsets) fault_offsets[0] = 0;
    double top = (double)(table_count - 1);
    for (size_t t = 0; t < trials; t++) {
        const double *row_u = u + t * n;
        const double *row_shift = shift + t * n;
        const int32_t *row_flagged = flagged + t * n;
        double s = scale ? scale[t] : 1.0;
        double total = 0;
        for (size_t q = 0; q < flag_counts[t]; q++) {
            // A flagged operator, in operator order: a fault below the grid's value below Φ(t), none at or
            // above the value above it (the AVX-512 flag is coarser than the grid), erfc in between.
            size_t i = (size_t)row_flagged[q];
            double threshold = (c[i] * s - row_shift[i]) * inverse_b[i], v = row_u[i];
            int j;
            int inside = grid_cell(threshold, lowest, points_per_unit, top, &j);
            int fault = inside && v < table[j];
            if (!fault && !(inside && v >= table[j + 1])) {
                fault = !isnan(threshold) && v < 0.5 * erfc(-threshold * 0.7071067811865475244);
            }
            if (fault) {
                total += loss[i];
                counts[i] += 1;
                if (fault_indices) fault_indices[listed++] = (int32_t)i;
            }
        }
        totals[t] = total;
        if (fault_offsets) fault_offsets[t + 1] = listed;
    }
}
