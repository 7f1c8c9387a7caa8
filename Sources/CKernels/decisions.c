// The conditional path's fault decisions: a vectorisable classification pass (fault / no fault /
// undecided, from the Φ grid), then a scalar pass in operator order that settles the undecided with
// erfc and adds up the losses, so the sums are the same on every instruction set.
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <math.h>

#define CLASSIFY_BODY                                                                              \
    double top = (double)(table_count - 1);                                                         \
    for (size_t i = 0; i < n; i++) {                                                                \
        double t = (c[i] * s - shift[i]) * inverse_b[i];                                                \
        double x = (t - lowest) * points_per_unit;                                                  \
        double clamped = x > 0 ? x : 0;                                                             \
        clamped = clamped < top - 1 ? clamped : top - 1;                                            \
        int j = (int)clamped;                                                                       \
        double below = table[j], above = table[j + 1], v = u[i];                                    \
        int inside = (x >= 0) & (x < top);                                                          \
        int fault = v < below;                                                                      \
        int undecided = (v >= below) & (v < above);                                                 \
        codes[i] = (uint8_t)(inside ? fault + 2 * undecided : 2);                                   \
    }

typedef void (*classify_fn)(const double *, const double *, size_t, const double *, double, const double *,
                            const double *, size_t, double, double, uint8_t *);

static void classify_generic(const double *restrict u, const double *restrict shift, size_t n, const double *restrict c, double s, const double *restrict inverse_b,
                             const double *restrict table, size_t table_count, double lowest, double points_per_unit, uint8_t *restrict codes) {
    CLASSIFY_BODY
}
#if defined(__x86_64__)
__attribute__((target("avx2")))
static void classify_avx2(const double *restrict u, const double *restrict shift, size_t n, const double *restrict c, double s, const double *restrict inverse_b,
                          const double *restrict table, size_t table_count, double lowest, double points_per_unit, uint8_t *restrict codes) {
    CLASSIFY_BODY
}
__attribute__((target("avx512f,avx512dq,avx512vl")))
static void classify_avx512(const double *restrict u, const double *restrict shift, size_t n, const double *restrict c, double s, const double *restrict inverse_b,
                            const double *restrict table, size_t table_count, double lowest, double points_per_unit, uint8_t *restrict codes) {
    CLASSIFY_BODY
}
#endif

void slashsim_conditional_faults(const double *u, const double *shift, size_t n, size_t trials,
                                 const double *c, const double *inverse_b,
                                 const double *table, size_t table_count, double lowest, double points_per_unit,
                                 const double *loss, int64_t *counts, double *totals, uint8_t *codes,
                                 const double *scale, int32_t *fault_offsets, int32_t *fault_indices) {
    classify_fn classify = classify_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level()) {
    case 2: classify = classify_avx512; break;
    case 1: classify = classify_avx2; break;
    default: break;
    }
#endif
    int32_t listed = 0;
    if (fault_offsets) fault_offsets[0] = 0;
    for (size_t t = 0; t < trials; t++) {
        const double *row_u = u + t * n;
        const double *row_shift = shift + t * n;
        double s = scale ? scale[t] : 1.0;
        classify(row_u, row_shift, n, c, s, inverse_b, table, table_count, lowest, points_per_unit, codes);
        double total = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t code = codes[i];
            if (code == 0) continue;
            int fault = code == 1;
            if (code == 2) {
                double threshold = (c[i] * s - row_shift[i]) * inverse_b[i];
                fault = !isnan(threshold) && row_u[i] < 0.5 * erfc(-threshold * 0.7071067811865475244);
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
