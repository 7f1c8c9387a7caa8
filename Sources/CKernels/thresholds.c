// The dense forms' fault-and-loss pass: operator j faults in trial t when Z[j, t] < c[j]·√W_t. A vectorised
// pass lists the faulting operators of a trial (AVX-512: compressed eight at a time; AVX2: four at a time
// through a table of lane lists; generic: a plain loop), then a scalar loop adds their losses in operator order, so the sums are the same on every level.
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define LIST_BODY                                                                                  \
    size_t count = 0;                                                                              \
    for (size_t j = 0; j < n; j++) {                                                               \
        faults[count] = (int32_t)j;                                                                \
        count += z[j] < c[j] * s;                                                                  \
    }                                                                                              \
    return count;

typedef size_t (*list_fn)(const double *, const double *, double, size_t, int32_t *);

static size_t list_generic(const double *restrict z, const double *restrict c, double s, size_t n, int32_t *restrict faults) { LIST_BODY }

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq,avx512vl")))
static size_t list_avx512(const double *restrict z, const double *restrict c, double s, size_t n, int32_t *restrict faults) {
    const __m512d vs = _mm512_set1_pd(s);
    const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    size_t count = 0, j = 0;
    for (; j + 8 <= n; j += 8) {
        __mmask8 fault = _mm512_cmp_pd_mask(_mm512_loadu_pd(z + j), _mm512_mul_pd(_mm512_loadu_pd(c + j), vs), _CMP_LT_OQ);
        _mm256_storeu_si256((__m256i *)(faults + count),
                            _mm256_maskz_compress_epi32(fault, _mm256_add_epi32(iota, _mm256_set1_epi32((int)j))));
        count += (size_t)__builtin_popcount(fault);
    }
    for (; j < n; j++) {
        faults[count] = (int32_t)j;
        count += z[j] < c[j] * s;
    }
    return count;
}

/// For each 4-bit mask, the lanes it selects, in order (AVX2 has no compress instruction).
static const int32_t fault_lanes4[16][4] = {
    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0}, {1, 2, 0, 0}, {0, 1, 2, 0},
    {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0}, {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3},
};

/// AVX2: four operators at a time, the faulting ones' indices compressed through `fault_lanes4`.
__attribute__((target("avx2")))
static size_t list_avx2(const double *restrict z, const double *restrict c, double s, size_t n, int32_t *restrict faults) {
    const __m256d vs = _mm256_set1_pd(s);
    size_t count = 0, j = 0;
    for (; j + 4 <= n; j += 4) {
        int fault = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(z + j), _mm256_mul_pd(_mm256_loadu_pd(c + j), vs), _CMP_LT_OQ));
        __m128i lanes = _mm_loadu_si128((const __m128i *)fault_lanes4[fault]);
        _mm_storeu_si128((__m128i *)(faults + count), _mm_add_epi32(lanes, _mm_set1_epi32((int)j)));
        count += (size_t)__builtin_popcount(fault);
    }
    for (; j < n; j++) {
        faults[count] = (int32_t)j;
        count += z[j] < c[j] * s;
    }
    return count;
}
#endif

void slashsim_threshold_faults(const slashsim_threshold_pass *pass, const double *z, size_t trials, const double *scale, int lists) {
    const size_t n = pass->n;
    const double *c = pass->c, *loss = pass->loss;
    int64_t *counts = pass->counts;
    double *totals = pass->totals;
    int32_t *faults = pass->faults;
    int32_t listed = 0;
    if (lists) pass->fault_offsets[0] = 0;
    list_fn list = list_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level_in_use()) {
    case SLASHSIM_KERNEL_AVX512: list = list_avx512; break;
    case SLASHSIM_KERNEL_AVX2: list = list_avx2; break;
    case SLASHSIM_KERNEL_GENERIC: break;
    }
#endif
    for (size_t t = 0; t < trials; t++) {
        size_t count = list(z + t * n, c, scale ? scale[t] : 1.0, n, faults);
        double total = 0;
        for (size_t k = 0; k < count; k++) {
            size_t j = (size_t)faults[k];
            total += loss[j];
            counts[j] += 1;
        }
        totals[t] = total;
        if (lists) {
            memcpy(pass->fault_indices + listed, faults, count * sizeof(int32_t));
            listed += (int32_t)count;
            pass->fault_offsets[t + 1] = listed;
        }
    }
}
