// Run-time choice of the kernels' instruction set: detected once from the CPU, overridable for tests and
// benchmarks. Every kernel reads the level here and picks its variant; all variants give the same bits.

#include "slashsim_kernels.h"

static int kernel_level = -1;

slashsim_kernel_level slashsim_best_kernel_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return SLASHSIM_KERNEL_AVX512;
    if (__builtin_cpu_supports("avx2")) return SLASHSIM_KERNEL_AVX2;
#endif
    return SLASHSIM_KERNEL_GENERIC;
}

slashsim_kernel_level slashsim_kernel_level_in_use(void) {
    int level = __atomic_load_n(&kernel_level, __ATOMIC_RELAXED);
    if (level < 0) {
        level = (int)slashsim_best_kernel_level();
        __atomic_store_n(&kernel_level, level, __ATOMIC_RELAXED);
    }
    return (slashsim_kernel_level)level;
}

slashsim_kernel_level slashsim_set_kernel_level(slashsim_kernel_level level) {
    slashsim_kernel_level best = slashsim_best_kernel_level();
    if ((int)level < 0 || level > best) level = best;
    __atomic_store_n(&kernel_level, (int)level, __ATOMIC_RELAXED);
    return level;
}
