#pragma once
// PDESYM_SIMD_CLONES: compile a hot loop twice, for AVX2 and for the baseline, and pick one at load time (GCC's
// target_clones, an ifunc). The AVX2 clone runs the same IEEE operations in the same order on wider registers
// (no FMA contraction: ISO mode keeps -ffp-contract=off, no reassociation), so results are bit-identical to the
// baseline clone (tests/solvers/test_scalar_identity.cpp). Empty on other compilers and architectures.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define PDESYM_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PDESYM_SIMD_CLONES
#endif

// PDESYM_ALWAYS_INLINE: a helper of a PDESYM_SIMD_CLONES function, inlined into each clone so that it is compiled for
// that clone's target (a call would run the baseline code).
// PDESYM_LAMBDA_ALWAYS_INLINE: the same for a lambda (after its parameter list).
#if defined(__GNUC__)
#define PDESYM_ALWAYS_INLINE inline __attribute__((always_inline))
#define PDESYM_LAMBDA_ALWAYS_INLINE __attribute__((always_inline))
#else
#define PDESYM_ALWAYS_INLINE inline
#define PDESYM_LAMBDA_ALWAYS_INLINE
#endif
