// The conditional path's fault decisions: a vectorised pass flagging the operators that may fault (their
// uniform below the Φ grid's value above their argument, or an argument off the grid), then a scalar pass
// in operator order that decides the flagged ones (against the grid's value below, and by erfc when the
// grid cannot decide) and adds up the losses, so the sums are the same on every instruction set.
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <math.h>
#include <string.h>

// One table lookup per operator: u ≥ the grid's value above Φ(t) means no fault; everything else is flagged.
#define CLASSIFY_BODY                                                                              \
    double top = (double)(table_count - 1);                                                         \
    for (size_t i = 0; i < n; i++) {                                                                \
        double t = (c[i] * s - shift[i]) * inverse_b[i];                                                \
        double x = (t - lowest) * points_per_unit;                                                  \
        double clamped = x > 0 ? x : 0;                                                             \
        clamped = clamped < top - 1 ? clamped : top - 1;                                            \
        int j = (int)clamped;                                                                       \
        double above = table[j + 1], v = u[i];                                                      \
        int inside = (x >= 0) & (x < top);                                                          \
        codes[i] = (uint8_t)(inside ? v < above : 1);                                               \
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
        double top = (double)(table_count - 1);
        for (size_t i = 0; i < n; i++) {
            // Most operators are not flagged: skip eight at a time (the order of the sum is unchanged).
            if ((i & 7) == 0 && i + 8 <= n) {
                uint64_t word;
                memcpy(&word, codes + i, sizeof word);
                if (word == 0) { i += 7; continue; }
            }
            if (codes[i] == 0) continue;
            // A flagged operator: a fault below the grid's value below Φ(t), erfc when the grid cannot decide.
            double threshold = (c[i] * s - row_shift[i]) * inverse_b[i], v = row_u[i];
            double x = (threshold - lowest) * points_per_unit;
            double clamped = x > 0 ? x : 0;
            clamped = clamped < top - 1 ? clamped : top - 1;
            double below = table[(int)clamped];
            int inside = (x >= 0) & (x < top);
            int fault = inside && v < below;
            if (!fault) {
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
