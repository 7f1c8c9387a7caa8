// The few Fortran BLAS/LAPACK entry points slashsim uses, declared by hand so that no particular
// cblas.h/lapacke.h is needed. The Fortran ABI (gfortran, LP64): every argument by pointer,
// 32-bit integers, and one hidden length per CHARACTER argument appended at the end.
// Works unchanged with the reference BLAS/LAPACK and with OpenBLAS (selected by update-alternatives).
#ifndef SLASHSIM_CLAPACK_SHIM_H
#define SLASHSIM_CLAPACK_SHIM_H

#include <stddef.h>

/// Cholesky factorisation of a symmetric positive definite matrix (LAPACK).
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);

/// Estimated reciprocal condition number (1-norm) of a Cholesky-factored matrix (LAPACK).
void dpocon_(const char *uplo, const int *n, const double *a, const int *lda, const double *anorm,
             double *rcond, double *work, int *iwork, int *info, size_t uplo_len);

/// Eigenvalues (ascending) and optionally eigenvectors of a symmetric matrix (LAPACK).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

/// B := alpha * op(A) * B or B * op(A), A triangular (BLAS level 3).
void dtrmm_(const char *side, const char *uplo, const char *transa, const char *diag,
            const int *m, const int *n, const double *alpha, const double *a, const int *lda,
            double *b, const int *ldb,
            size_t side_len, size_t uplo_len, size_t transa_len, size_t diag_len);

/// The single-precision B := alpha * op(A) * B (BLAS level 3), for `simulation: {precision: single}`.
void strmm_(const char *side, const char *uplo, const char *transa, const char *diag,
            const int *m, const int *n, const float *alpha, const float *a, const int *lda,
            float *b, const int *ldb,
            size_t side_len, size_t uplo_len, size_t transa_len, size_t diag_len);

#endif
