// Standard normals from Philox4x32-10 and AS 241, in four passes so that the common work vectorises:
// (1) uniforms from Philox, one counter block per two values; (2) the positions of the values in AS 241's
// tails (|u − ½| > 0.425, 15 %) are noted; (3) AS 241's central rational function for every value;
// (4) the tail values again with the full algorithm, using fdlibm's log (vectorised; the Swift reference
// computes the same log).
//
// Every operation is an IEEE operation in the same order as the Swift reference (NormalStream.fill,
// NormalDistribution.quantile), and contraction into fused multiply-adds is off, so all instruction
// sets give the same bits as the Swift code.
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

#define UNIFORMS_BODY                                                                              \
    for (size_t i = 0; i < nblocks; i++) {                                                         \
        uint32_t x0 = (uint32_t)(first + i), x1 = substream, x2 = b0, x3 = b1;                               \
        uint32_t k0 = s0, k1 = s1;                                                                 \
        for (int r = 0; r < 10; r++) {                                                             \
            if (r > 0) { k0 += W0; k1 += W1; }                                                     \
            uint64_t p0 = (uint64_t)M0 * x0, p1 = (uint64_t)M1 * x2;                               \
            uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;                               \
            uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;                               \
            x0 = hi1 ^ x1 ^ k0; x1 = lo1; x2 = hi0 ^ x3 ^ k1; x3 = lo0;                            \
        }                                                                                          \
        uint64_t a = ((uint64_t)x0 << 21) ^ (uint64_t)(x1 >> 11);                                  \
        uint64_t b = ((uint64_t)x2 << 21) ^ (uint64_t)(x3 >> 11);                                  \
        out[2 * i] = ((double)(int64_t)a + 0.5) * 0x1p-53;                                         \
        out[2 * i + 1] = ((double)(int64_t)b + 0.5) * 0x1p-53;                                     \
    }

/// Interleaved four vectors deep: each value's Horner chains are serial (latency-bound), so independent
/// vectors in flight fill the pipes. The operations on each value are unchanged.
#define CENTRAL_BODY                                                                               \
    _Pragma("clang loop interleave_count(4)")                                                     \
    for (size_t j = 0; j < count; j++) {                                                           \
        double q = out[j] - 0.5;                                                                   \
        double r = 0.180625 - q * q;                                                               \
        double num = (((((((2509.0809287301226727 * r + 33430.575583588128105) * r                 \
            + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r \
            + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608);     \
        double den = (((((((5226.4952788528545610 * r + 28729.085735721942674) * r                 \
            + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r  \
            + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);                       \
        out[j] = q * num / den;                                                                    \
    }

/// AS 241's rational function for r = √|log| ≤ 5 (min(p, 1 − p) ≥ e⁻²⁵ ≈ 1.4·10⁻¹¹), without the sign.
static inline __attribute__((always_inline)) double near_tail_magnitude(double r) {
    r -= 1.6;
    return (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
        + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
        + 4.6303378461565452959) * r + 1.42343711074968357734)
        / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
        + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
        + 2.05319162663775882187) * r + 1.0);
}

/// AS 241's rational function for r > 5, without the sign.
static inline __attribute__((always_inline)) double far_tail_magnitude(double r) {
    r -= 5;
    return (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
        + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
        + 5.4637849111641143699) * r + 6.6579046435011037772)
        / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
        + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
        + 0.59983220655588793769) * r + 1.0);
}

/// AS 241 in a tail, from the signed −log(min(p, 1 − p)) of `tail_logs`.
static inline __attribute__((always_inline)) double tail_quantile_from_log(double signed_log) {
    double r = sqrt(fabs(signed_log));
    double x = r <= 5 ? near_tail_magnitude(r) : far_tail_magnitude(r);
    return signed_log < 0 ? -x : x;
}

/// The tail values from their logs. Values beyond r = 5 (|log| > 25, about one in 10¹¹) are so rare that a
/// chunk almost never holds one: then only the near formula is computed, vectorised without the far one
/// (the same operations on every value, so the same bits).
#define TAIL_BODY                                                                                  \
    int far = 0;                                                                                   \
    for (size_t t = 0; t < count; t++) far |= fabs(values[t]) > 25;                                \
    if (far) {                                                                                     \
        for (size_t t = 0; t < count; t++) values[t] = tail_quantile_from_log(values[t]);          \
    } else {                                                                                       \
        for (size_t t = 0; t < count; t++) {                                                       \
            double x = near_tail_magnitude(sqrt(fabs(values[t])));                                 \
            values[t] = values[t] < 0 ? -x : x;                                                    \
        }                                                                                          \
    }

typedef void (*uniforms_fn)(double *, size_t, size_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
typedef void (*central_fn)(double *, size_t);
typedef void (*tail_fn)(double *, size_t);

static void uniforms_generic(double *out, size_t first, size_t nblocks, uint32_t substream, uint32_t b0, uint32_t b1, uint32_t s0, uint32_t s1) { UNIFORMS_BODY }
static void central_generic(double *out, size_t count) { CENTRAL_BODY }
static void tail_generic(double *values, size_t count) { TAIL_BODY }

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void uniforms_avx2_tail(double *out, size_t first, size_t nblocks, uint32_t substream, uint32_t b0, uint32_t b1, uint32_t s0, uint32_t s1) { UNIFORMS_BODY }

/// One Philox round on four blocks, each word in the low half of a 64-bit lane (as `PHILOX_ROUND_512`):
/// vpmuludq gives hi and lo of each product at once; the upper halves may hold anything.
#define PHILOX_ROUND_256(x0, x1, x2, x3, k0, k1)                                                   \
    do {                                                                                           \
        __m256i p0 = _mm256_mul_epu32(x0, m0), p1 = _mm256_mul_epu32(x2, m1);                      \
        x0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), k0);                \
        x1 = p1;                                                                                   \
        x2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), k1);                \
        x3 = p0;                                                                                   \
    } while (0)

/// (v + ½)·2⁻⁵³ for the 53-bit v here, as the scalar body's ((double)v + 0.5)·2⁻⁵³ rounds it (AVX2 has no
/// vcvtqq2pd): with v = b·2⁵² + L, the low 52 bits give L + ½ exactly (2⁵² + L through the exponent trick,
/// minus 2⁵² − ½), and adding b·2⁵² (chosen by bit 52, moved to the sign for vblendvpd) is the one rounding
/// of v + ½ that the scalar body's exact conversion followed by + 0.5 makes.
#define UNIFORM_FROM_53(v)                                                                         \
    _mm256_mul_pd(                                                                                 \
        _mm256_add_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(v, low52), magic)), two52_minus_half), \
                      _mm256_blendv_pd(zero, two52, _mm256_castsi256_pd(_mm256_slli_epi64(v, 11)))), \
        scale)

/// The 53-bit uniforms of four finished blocks, interleaved as the scalar body writes them.
#define PHILOX_STORE_256(out, x0, x1, x2, x3)                                                      \
    do {                                                                                           \
        __m256i a = _mm256_xor_si256(_mm256_slli_epi64(_mm256_and_si256(x0, low), 21),             \
                                     _mm256_srli_epi64(_mm256_and_si256(x1, low), 11));            \
        __m256i b = _mm256_xor_si256(_mm256_slli_epi64(_mm256_and_si256(x2, low), 21),             \
                                     _mm256_srli_epi64(_mm256_and_si256(x3, low), 11));            \
        __m256d ua = UNIFORM_FROM_53(a);                                                           \
        __m256d ub = UNIFORM_FROM_53(b);                                                           \
        __m256d even = _mm256_unpacklo_pd(ua, ub), odd = _mm256_unpackhi_pd(ua, ub);               \
        _mm256_storeu_pd(out, _mm256_permute2f128_pd(even, odd, 0x20));                            \
        _mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(even, odd, 0x31));                        \
    } while (0)

/// Philox4x32-10 with AVX2 intrinsics, eight blocks per iteration (two independent groups of four): the
/// same integer operations and one conversion, add and multiply per value as the scalar body, so the bits
/// are the scalar body's.
__attribute__((target("avx2")))
static void uniforms_avx2(double *out, size_t first, size_t nblocks, uint32_t substream, uint32_t b0, uint32_t b1, uint32_t s0, uint32_t s1) {
    const __m256i m0 = _mm256_set1_epi64x(M0), m1 = _mm256_set1_epi64x(M1);
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF), low52 = _mm256_set1_epi64x((1LL << 52) - 1);
    const __m256i magic = _mm256_castpd_si256(_mm256_set1_pd(0x1p52));
    const __m256d two52 = _mm256_set1_pd(0x1p52), two52_minus_half = _mm256_set1_pd(0x1p52 - 0.5);
    const __m256d zero = _mm256_setzero_pd(), scale = _mm256_set1_pd(0x1p-53);
    const __m256i lanes = _mm256_set_epi64x(3, 2, 1, 0), four = _mm256_set1_epi64x(4);
    __m256i k0[10], k1[10];
    uint32_t key0 = s0, key1 = s1;
    for (int r = 0; r < 10; r++) {
        if (r > 0) { key0 += W0; key1 += W1; }
        k0[r] = _mm256_set1_epi64x(key0);
        k1[r] = _mm256_set1_epi64x(key1);
    }
    const __m256i word1 = _mm256_set1_epi64x(substream), word2 = _mm256_set1_epi64x(b0), word3 = _mm256_set1_epi64x(b1);
    size_t i = 0;
    for (; i + 12 <= nblocks; i += 12) {
        __m256i x0 = _mm256_add_epi64(_mm256_set1_epi64x((long long)(first + i)), lanes), x1 = word1, x2 = word2, x3 = word3;
        __m256i y0 = _mm256_add_epi64(x0, four), y1 = word1, y2 = word2, y3 = word3;
        __m256i z0 = _mm256_add_epi64(y0, four), z1 = word1, z2 = word2, z3 = word3;
        for (int r = 0; r < 10; r++) {
            PHILOX_ROUND_256(x0, x1, x2, x3, k0[r], k1[r]);
            PHILOX_ROUND_256(y0, y1, y2, y3, k0[r], k1[r]);
            PHILOX_ROUND_256(z0, z1, z2, z3, k0[r], k1[r]);
        }
        PHILOX_STORE_256(out + 2 * i, x0, x1, x2, x3);
        PHILOX_STORE_256(out + 2 * i + 8, y0, y1, y2, y3);
        PHILOX_STORE_256(out + 2 * i + 16, z0, z1, z2, z3);
    }
    if (i < nblocks) uniforms_avx2_tail(out + 2 * i, first + i, nblocks - i, substream, b0, b1, s0, s1);
}
__attribute__((target("avx2")))
static void central_avx2(double *out, size_t count) { CENTRAL_BODY }
__attribute__((target("avx2")))
static void tail_avx2(double *values, size_t count) { TAIL_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void uniforms_avx512_tail(double *out, size_t first, size_t nblocks, uint32_t substream, uint32_t b0, uint32_t b1, uint32_t s0, uint32_t s1) { UNIFORMS_BODY }

/// One Philox round on eight blocks, each word in the low half of a 64-bit lane: vpmuludq reads only the
/// low halves and gives the whole 64-bit product (hi in the upper half, lo in the lower), so the upper
/// halves may hold anything; only the final words are masked.
#define PHILOX_ROUND_512(x0, x1, x2, x3, k0, k1)                                                   \
    do {                                                                                           \
        __m512i p0 = _mm512_mul_epu32(x0, m0), p1 = _mm512_mul_epu32(x2, m1);                      \
        x0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), x1, k0, 0x96);                   \
        x1 = p1;                                                                                   \
        x2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), x3, k1, 0x96);                   \
        x3 = p0;                                                                                   \
    } while (0)

/// The 53-bit uniforms of eight finished blocks, interleaved as the scalar body writes them.
#define PHILOX_STORE_512(out, x0, x1, x2, x3)                                                      \
    do {                                                                                           \
        __m512i a = _mm512_xor_si512(_mm512_slli_epi64(_mm512_and_si512(x0, low), 21),             \
                                     _mm512_srli_epi64(_mm512_and_si512(x1, low), 11));            \
        __m512i b = _mm512_xor_si512(_mm512_slli_epi64(_mm512_and_si512(x2, low), 21),             \
                                     _mm512_srli_epi64(_mm512_and_si512(x3, low), 11));            \
        __m512d ua = _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi64_pd(a), half), scale);             \
        __m512d ub = _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi64_pd(b), half), scale);             \
        _mm512_storeu_pd(out, _mm512_permutex2var_pd(ua, first_half, ub));                         \
        _mm512_storeu_pd(out + 8, _mm512_permutex2var_pd(ua, second_half, ub));                    \
    } while (0)

/// Philox4x32-10 written with AVX-512 intrinsics, sixteen blocks per iteration (two independent groups of
/// eight, for the multiplier's latency): 6 instructions per round for eight blocks, where the
/// auto-vectorised body needs about twice as many. Integer operations and one conversion, add and
/// multiply per value, so the bits are the scalar body's.
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void uniforms_avx512(double *out, size_t first, size_t nblocks, uint32_t substream, uint32_t b0, uint32_t b1, uint32_t s0, uint32_t s1) {
    const __m512i m0 = _mm512_set1_epi64(M0), m1 = _mm512_set1_epi64(M1);
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
    const __m512d half = _mm512_set1_pd(0.5), scale = _mm512_set1_pd(0x1p-53);
    const __m512i first_half = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i second_half = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), eight = _mm512_set1_epi64(8);
    __m512i k0[10], k1[10];
    uint32_t key0 = s0, key1 = s1;
    for (int r = 0; r < 10; r++) {
        if (r > 0) { key0 += W0; key1 += W1; }
        k0[r] = _mm512_set1_epi64(key0);
        k1[r] = _mm512_set1_epi64(key1);
    }
    const __m512i word1 = _mm512_set1_epi64(substream), word2 = _mm512_set1_epi64(b0), word3 = _mm512_set1_epi64(b1);
    size_t i = 0;
    for (; i + 16 <= nblocks; i += 16) {
        __m512i x0 = _mm512_add_epi64(_mm512_set1_epi64((long long)(first + i)), lanes), x1 = word1, x2 = word2, x3 = word3;
        __m512i y0 = _mm512_add_epi64(x0, eight), y1 = word1, y2 = word2, y3 = word3;
        for (int r = 0; r < 10; r++) {
            PHILOX_ROUND_512(x0, x1, x2, x3, k0[r], k1[r]);
            PHILOX_ROUND_512(y0, y1, y2, y3, k0[r], k1[r]);
        }
        PHILOX_STORE_512(out + 2 * i, x0, x1, x2, x3);
        PHILOX_STORE_512(out + 2 * i + 16, y0, y1, y2, y3);
    }
    if (i < nblocks) uniforms_avx512_tail(out + 2 * i, first + i, nblocks - i, substream, b0, b1, s0, s1);
}
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void central_avx512(double *out, size_t count) { CENTRAL_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void tail_avx512(double *values, size_t count) { TAIL_BODY }
#endif

/// log x for a positive normal x: fdlibm's e_log.c (Sun, 1993; error below 1 ulp) with its branches made
/// selections — the reduction x = 2^k·(1 + f), √2/2 ≤ 1 + f < √2, s = f/(2 + f), and its two formulas chosen
/// by f's range — so that it vectorises. `NormalDistribution.log` is the same operations in Swift.
static inline __attribute__((always_inline)) double fdlibm_log(double x) {
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                 Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                 Lg7 = 1.479819860511658591e-01;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int64_t hx = (int64_t)(bits >> 32);
    int64_t k = (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int64_t i = (hx + 0x95f64) & 0x100000;
    uint64_t normalized = ((uint64_t)(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffffu);  // x or x/2 scaled to [√2/2, √2)
    double m;
    memcpy(&m, &normalized, sizeof m);
    k += i >> 20;
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double dk = (double)k;
    double z = s * s;
    double w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    double wide = dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
    double narrow = dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
    return ((hx - 0x6147a) | (0x6b851 - hx)) > 0 ? wide : narrow;
}

/// Replaces each tail uniform p by a signed −log(min(p, 1 − p)): negative for the lower tail.
#define TAIL_LOGS_BODY                                                                             \
    for (size_t t = 0; t < count; t++) {                                                           \
        double p = u[t];                                                                           \
        double q = p - 0.5;                                                                        \
        double m = -fdlibm_log(q < 0 ? p : 1 - p);                                                 \
        u[t] = q < 0 ? -m : m;                                                                     \
    }

typedef void (*tail_logs_fn)(double *, size_t);
static void tail_logs_generic(double *restrict u, size_t count) { TAIL_LOGS_BODY }
#if defined(__x86_64__)
__attribute__((target("avx2")))
static void tail_logs_avx2(double *restrict u, size_t count) { TAIL_LOGS_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void tail_logs_avx512(double *restrict u, size_t count) { TAIL_LOGS_BODY }
#endif

void slashsim_fill_uniforms(double *out, size_t count, uint64_t seed, uint64_t batch, uint32_t substream) {
    slashsim_fill_uniforms_range(out, 0, count, seed, batch, substream);
}

void slashsim_fill_uniforms_range(double *out, size_t first, size_t count, uint64_t seed, uint64_t batch, uint32_t substream) {
    if (count == 0) return;
    uint32_t s0 = (uint32_t)seed, s1 = (uint32_t)(seed >> 32), b0 = (uint32_t)batch, b1 = (uint32_t)(batch >> 32);
    uniforms_fn uniforms = uniforms_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level_in_use()) {
    case SLASHSIM_KERNEL_AVX512: uniforms = uniforms_avx512; break;
    case SLASHSIM_KERNEL_AVX2: uniforms = uniforms_avx2; break;
    case SLASHSIM_KERNEL_GENERIC: break;
    }
#endif
    double pair[2];
    if (first % 2 == 1) {  // starts with the second value of a block
        uniforms_generic(pair, first / 2, 1, substream, b0, b1, s0, s1);
        out[0] = pair[1];
        out++;
        first++;
        count--;
    }
    size_t whole = count / 2;
    uniforms(out, first / 2, whole, substream, b0, b1, s0, s1);
    if (count % 2 == 1) {
        uniforms_generic(pair, first / 2 + whole, 1, substream, b0, b1, s0, s1);
        out[count - 1] = pair[0];
    }
}

/// Values per pass of `slashsim_fill_normals`: the tail list lives on the stack (no allocation per call)
/// and the chunk stays in L1 between the passes.
#define NORMAL_CHUNK 2048

/// Lists the values of `u` in AS 241's tails (|u − ½| > 0.425): their indices and values, in order.
#define COMPACT_BODY                                                                               \
    size_t tails = 0;                                                                              \
    for (size_t j = 0; j < count; j++) { /* branch-free: write always, advance on a tail */        \
        double v = u[j];                                                                           \
        tail_index[tails] = (int32_t)j;                                                            \
        tail_u[tails] = v;                                                                         \
        tails += fabs(v - 0.5) > 0.425;                                                            \
    }                                                                                              \
    return tails;

typedef size_t (*compact_fn)(const double *, size_t, int32_t *, double *);
static size_t compact_generic(const double *restrict u, size_t count, int32_t *restrict tail_index, double *restrict tail_u) { COMPACT_BODY }

#if defined(__x86_64__)
/// AVX-512: the tail values and their indices compressed eight at a time (register form of the compress).
__attribute__((target("avx512f,avx512dq,avx512vl")))
static size_t compact_avx512(const double *restrict u, size_t count, int32_t *restrict tail_index, double *restrict tail_u) {
    const __m512d half = _mm512_set1_pd(0.5), edge = _mm512_set1_pd(0.425);
    const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    size_t tails = 0, j = 0;
    for (; j + 8 <= count; j += 8) {
        __m512d v = _mm512_loadu_pd(u + j);
        __mmask8 tail = _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(v, half)), edge, _CMP_GT_OQ);
        _mm256_storeu_si256((__m256i *)(tail_index + tails),
                            _mm256_maskz_compress_epi32(tail, _mm256_add_epi32(iota, _mm256_set1_epi32((int)j))));
        _mm512_storeu_pd(tail_u + tails, _mm512_maskz_compress_pd(tail, v));
        tails += (size_t)__builtin_popcount(tail);
    }
    for (; j < count; j++) {
        double v = u[j];
        tail_index[tails] = (int32_t)j;
        tail_u[tails] = v;
        tails += fabs(v - 0.5) > 0.425;
    }
    return tails;
}
#endif

#if defined(__x86_64__)
/// For each 4-bit mask, the dword pairs of the lanes it selects, in order: compresses four doubles with one
/// vpermd (AVX2 has no compress instruction).
static const int32_t tail_dwords4[16][8] = {
    {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {2, 3, 0, 1, 0, 1, 0, 1}, {0, 1, 2, 3, 0, 1, 0, 1},
    {4, 5, 0, 1, 0, 1, 0, 1}, {0, 1, 4, 5, 0, 1, 0, 1}, {2, 3, 4, 5, 0, 1, 0, 1}, {0, 1, 2, 3, 4, 5, 0, 1},
    {6, 7, 0, 1, 0, 1, 0, 1}, {0, 1, 6, 7, 0, 1, 0, 1}, {2, 3, 6, 7, 0, 1, 0, 1}, {0, 1, 2, 3, 6, 7, 0, 1},
    {4, 5, 6, 7, 0, 1, 0, 1}, {0, 1, 4, 5, 6, 7, 0, 1}, {2, 3, 4, 5, 6, 7, 0, 1}, {0, 1, 2, 3, 4, 5, 6, 7},
};

/// AVX2: the tail values and their indices compressed four at a time through `tail_dwords4` (writes up to
/// three entries past the count, within the chunk).
__attribute__((target("avx2")))
static size_t compact_avx2(const double *restrict u, size_t count, int32_t *restrict tail_index, double *restrict tail_u) {
    const __m256d half = _mm256_set1_pd(0.5), edge = _mm256_set1_pd(0.425), sign = _mm256_set1_pd(-0.0);
    const __m256i pairs_to_lanes = _mm256_set_epi32(0, 0, 0, 0, 6, 4, 2, 0);
    size_t tails = 0, j = 0;
    for (; j + 4 <= count; j += 4) {
        __m256d v = _mm256_loadu_pd(u + j);
        int tail = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(v, half)), edge, _CMP_GT_OQ));
        __m256i order = _mm256_loadu_si256((const __m256i *)tail_dwords4[tail]);
        _mm256_storeu_pd(tail_u + tails, _mm256_castsi256_pd(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(v), order)));
        // Lane numbers are the even dwords of the pair list, halved.
        __m256i lanes = _mm256_srli_epi32(_mm256_permutevar8x32_epi32(order, pairs_to_lanes), 1);
        _mm_storeu_si128((__m128i *)(tail_index + tails), _mm_add_epi32(_mm256_castsi256_si128(lanes), _mm_set1_epi32((int)j)));
        tails += (size_t)__builtin_popcount(tail);
    }
    for (; j < count; j++) {
        double v = u[j];
        tail_index[tails] = (int32_t)j;
        tail_u[tails] = v;
        tails += fabs(v - 0.5) > 0.425;
    }
    return tails;
}
#endif

void slashsim_fill_normals(double *out, size_t count, uint64_t seed, uint64_t batch, uint32_t substream) {
    if (count == 0) return;
    uint32_t s0 = (uint32_t)seed, s1 = (uint32_t)(seed >> 32), b0 = (uint32_t)batch, b1 = (uint32_t)(batch >> 32);
    uniforms_fn uniforms = uniforms_generic;
    central_fn central = central_generic;
    tail_fn tail = tail_generic;
    compact_fn compact = compact_generic;
    tail_logs_fn tail_logs = tail_logs_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level_in_use()) {
    case SLASHSIM_KERNEL_AVX512: uniforms = uniforms_avx512; central = central_avx512; tail = tail_avx512; compact = compact_avx512; tail_logs = tail_logs_avx512; break;
    case SLASHSIM_KERNEL_AVX2: uniforms = uniforms_avx2; central = central_avx2; tail = tail_avx2; compact = compact_avx2; tail_logs = tail_logs_avx2; break;
    case SLASHSIM_KERNEL_GENERIC: break;
    }
#endif
    int32_t tail_index[NORMAL_CHUNK];
    double tail_u[NORMAL_CHUNK];
    // Chunk by chunk from the uniforms on, so that every pass reads what the previous one left in L1.
    for (size_t start = 0; start < count; start += NORMAL_CHUNK) {
        size_t length = count - start < NORMAL_CHUNK ? count - start : NORMAL_CHUNK;
        double *chunk = out + start;
        uniforms(chunk, start / 2, length / 2, substream, b0, b1, s0, s1);
        if (length % 2 == 1) {
            // The last value of an odd count (NORMAL_CHUNK is even): the first of its block.
            double pair[2];
            uniforms_generic(pair, (start + length) / 2, 1, substream, b0, b1, s0, s1);
            chunk[length - 1] = pair[0];
        }
        // Note the tails before the central pass overwrites the uniforms.
        size_t tails = compact(chunk, length, tail_index, tail_u);
        central(chunk, length);
        tail_logs(tail_u, tails);
        tail(tail_u, tails);
        for (size_t t = 0; t < tails; t++) chunk[tail_index[t]] = tail_u[t];
    }
}
