// The dense path in single precision (`simulation: {precision: single}`): the normals are rounded to floats,
// multiplied by the float Cholesky factor with strmm (twice the flops per cycle of dtrmm), and every latent
// whose float value might lie on the other side of its threshold from the exact latent is recomputed in double.
// The decisions are the double path's, so the reports are too (see slashsim_kernels.h for the bound).
#pragma clang fp contract(off)

#include "slashsim_kernels.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// Whether latent j's float value (`z`, with threshold c·s) might lie on the other side of the threshold
/// from the exact latent: within the rounding error bound of `slashsim_single_latents`.
static inline __attribute__((always_inline)) int uncertain(double z, double threshold, double j, double scaled_norm) {
    return !(fabs(z - threshold) > (j + 4) * scaled_norm + 1e-30);
}

/// Latent j in double from the normals in `column` (row j of the factor by rows).
static inline double exact_latent(const double *rows, const double *column, size_t n, size_t j) {
    const double *row = rows + j * n;
    double sum = 0;
    for (size_t k = 0; k <= j; k++) sum += row[k] * column[k];
    return sum;
}

/* The norm from eight partial sums in a fixed order (the same on every level), so that it vectorises. */
#define INPUTS_BODY \
    for (size_t t = 0; t < trials; t++) { \
        const double *column = e + t * n; \
        float *out = single + t * n; \
        double part[8] = {0, 0, 0, 0, 0, 0, 0, 0}; \
        size_t j = 0; \
        for (; j + 8 <= n; j += 8) { \
            for (int l = 0; l < 8; l++) { \
                double x = column[j + l]; \
                out[j + l] = (float)x; \
                part[l] += x * x; \
            } \
        } \
        double sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7])); \
        for (; j < n; j++) { \
            out[j] = (float)column[j]; \
            sum += column[j] * column[j]; \
        } \
        norms[t] = sqrt(sum); \
    }

#define LATENTS_BODY \
    const double unit = 0x1p-24 * 1.001; \
    int64_t recomputed = 0, turned = 0; \
    enum { most = 64 }; \
    size_t listed[most]; \
    double exact[most]; \
    for (size_t t = 0; t < trials; t++) { \
        double *column = e + t * n; \
        const float *latent = single + t * n; \
        const double s = scale ? scale[t] : 1.0, scaled_norm = unit * norms[t]; \
        /* (1) Any latent near its threshold? One vectorised pass; usually none. */ \
        int any = 0; \
        for (int j = 0; j < (int)n; j++) any |= uncertain((double)latent[j], c[j] * s, (double)j, scaled_norm); \
        /* (2) Those latents in double, from the normals still in `column`. */ \
        size_t count = 0; \
        int overflow = 0; \
        if (any) { \
            for (size_t j = 0; j < n && !overflow; j++) { \
                if (!uncertain((double)latent[j], c[j] * s, (double)j, scaled_norm)) continue; \
                if (count == most) { overflow = 1; break; } \
                listed[count] = j; \
                exact[count] = exact_latent(rows, column, n, j); \
                turned += ((double)latent[j] < c[j] * s) != (exact[count] < c[j] * s); \
                count++; \
            } \
        } \
        if (overflow) { \
            /* More than `most` (never seen in practice): row by row from the last, where row j reads the */ \
            /* normals e[0 ..< j + 1] that the rows above j have not yet replaced. */ \
            for (size_t j = n; j-- > 0;) { \
                double z = (double)latent[j]; \
                if (uncertain(z, c[j] * s, (double)j, scaled_norm)) { \
                    double x = exact_latent(rows, column, n, j); \
                    turned += (z < c[j] * s) != (x < c[j] * s); \
                    z = x; \
                    recomputed += 1; \
                } \
                column[j] = z; \
            } \
            continue; \
        } \
        /* (3) Every latent its float value (a vectorised pass), then the recomputed ones. */ \
        for (size_t j = 0; j < n; j++) column[j] = (double)latent[j]; \
        for (size_t q = 0; q < count; q++) column[listed[q]] = exact[q]; \
        recomputed += (int64_t)count; \
    } \
    if (flips) *flips += turned; \
    return recomputed;

typedef void (*inputs_fn)(const double *, float *, double *, size_t, size_t);
typedef int64_t (*latents_fn)(const float *, double *, const double *, size_t, size_t, const double *, const double *, const double *, int64_t *);

static void inputs_generic(const double *restrict e, float *restrict single, double *restrict norms, size_t n, size_t trials) { INPUTS_BODY }
static int64_t latents_generic(const float *restrict single, double *restrict e, const double *restrict rows, size_t n, size_t trials, const double *restrict c, const double *restrict scale, const double *restrict norms, int64_t *restrict flips) { LATENTS_BODY }
#if defined(__x86_64__)
__attribute__((target("avx2"))) static void inputs_avx2(const double *restrict e, float *restrict single, double *restrict norms, size_t n, size_t trials) { INPUTS_BODY }
__attribute__((target("avx2"))) static int64_t latents_avx2(const float *restrict single, double *restrict e, const double *restrict rows, size_t n, size_t trials, const double *restrict c, const double *restrict scale, const double *restrict norms, int64_t *restrict flips) { LATENTS_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void inputs_avx512(const double *restrict e, float *restrict single, double *restrict norms, size_t n, size_t trials) { INPUTS_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl"))) static int64_t latents_avx512(const float *restrict single, double *restrict e, const double *restrict rows, size_t n, size_t trials, const double *restrict c, const double *restrict scale, const double *restrict norms, int64_t *restrict flips) { LATENTS_BODY }
#endif

void slashsim_single_inputs(const double *e, float *single, double *norms, size_t n, size_t trials) {
    inputs_fn inputs = inputs_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level_in_use()) {
    case SLASHSIM_KERNEL_AVX512: inputs = inputs_avx512; break;
    case SLASHSIM_KERNEL_AVX2: inputs = inputs_avx2; break;
    case SLASHSIM_KERNEL_GENERIC: break;
    }
#endif
    inputs(e, single, norms, n, trials);
}

int64_t slashsim_single_latents(const float *single, double *e, const double *rows, size_t n, size_t trials, const double *c,
                                const double *scale, const double *norms, int64_t *flips) {
    latents_fn latents = latents_generic;
#if defined(__x86_64__)
    switch (slashsim_kernel_level_in_use()) {
    case SLASHSIM_KERNEL_AVX512: latents = latents_avx512; break;
    case SLASHSIM_KERNEL_AVX2: latents = latents_avx2; break;
    case SLASHSIM_KERNEL_GENERIC: break;
    }
#endif
    return latents(single, e, rows, n, trials, c, scale, norms, flips);
}
