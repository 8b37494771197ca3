// Single-source annotations: the same kernel code compiles as host C++ (cpu backend)
// and as CUDA device code (cuda backend).
#pragma once

#if defined(__CUDACC__)
#define PW_HD __host__ __device__
#define PW_FORCEINLINE __forceinline__
#else
#define PW_HD
#define PW_FORCEINLINE inline __attribute__((always_inline))
#endif
