// Portable elementary functions for kernel code.
//
// Why this exists: the CPU backend (glibc libm) and the CUDA backend (CUDA's libdevice) implement
// log/exp/pow with different algorithms, so their results differ in the last bits, and a
// simulation run would diverge between backends. These versions use only + - * / and sqrt
// (IEEE-754 correctly rounded on both: g++ on x86-64 SSE2 and nvcc device code), integer ops and
// bit manipulation, with a fixed evaluation order, so both backends get bitwise identical results.
// That holds only when the compiler neither fuses multiply-add nor reassociates: build host code
// with -ffp-contract=off (and without -ffast-math), device code with --fmad=false.
//
// Accuracy (measured against glibc in tests/test_rng.cpp): log and exp within ~1 ulp.
// pow(a, b) = exp(b * log(a)) loses about |b * log(a)| ulp to the rounding of the product, which is
// harmless for sampling but means pow is not a correctly rounded pow.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/common/hd.h"

namespace plantwin {
namespace pmath {

PW_HD inline uint64_t bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

PW_HD inline double from_bits(uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

// 2^n for a normal exponent, -1022 <= n <= 1023.
PW_HD inline double pow2i(int n) { return from_bits(static_cast<uint64_t>(n + 1023) << 52); }

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^21 (kLn2Hi has 32 significant bits), as in
// fdlibm; kLn2Lo carries the rest.
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3DEA39EF35793C76

// Correctly rounded on both backends (IEEE requires it; CUDA's double sqrt is IEEE), so the
// libraries' own sqrt is safe to use.
PW_HD inline double sqrt(double x) { return ::sqrt(x); }

// Natural logarithm. Promises: within ~1 ulp for finite x > 0 (subnormals included);
// log(1) == 0 exactly; log(0) = -inf, log(+inf) = +inf, log(x < 0 or NaN) = NaN.
// Method (fdlibm's): x = 2^k * m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
// s = f / (2 + f), log(1 + f) = 2s + 2s^3/3 + 2s^5/5 + ... = f - (f^2/2 - s (f^2/2 + R)),
// with R the atanh series tail as a Taylor polynomial in s^2 (|s| < 0.1716, 10 terms reach 2^-60).
PW_HD inline double log(double x) {
  if (!(x > 0)) return x == 0 ? from_bits(0xFFF0000000000000ull) : from_bits(0x7FF8000000000000ull);
  uint64_t b = bits_of(x);
  if (b >= 0x7FF0000000000000ull) return x;  // +inf
  int k = 0;
  if (b < 0x0010000000000000ull) {  // subnormal: scale into the normal range (exact)
    x *= 18014398509481984.0;       // 2^54
    b = bits_of(x);
    k = -54;
  }
  k += static_cast<int>(b >> 52) - 1023;
  uint64_t mant = b & 0x000FFFFFFFFFFFFFull;
  uint64_t ebits = 0x3FF0000000000000ull;  // m in [1, 2)
  if (mant >= 0x6A09E667F3BCDull) {        // m >= sqrt(2): use m/2 instead
    ebits = 0x3FE0000000000000ull;
    k += 1;
  }
  const double f = from_bits(mant | ebits) - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double R =
      z * (0.6666666666666666 +
           z * (0.4 +
                z * (0.2857142857142857 +
                     z * (0.2222222222222222 +
                          z * (0.18181818181818182 +
                               z * (0.15384615384615385 +
                                    z * (0.13333333333333333 +
                                         z * (0.11764705882352941 +
                                              z * (0.10526315789473684 + z * 0.09523809523809523)))))))));
  const double hfsq = 0.5 * f * f;
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  const double dk = static_cast<double>(k);
  return dk * kLn2Hi - ((hfsq - (s * (hfsq + R) + dk * kLn2Lo)) - f);
}

// Exponential. Promises: within ~1 ulp; exp(0) == 1 exactly; +inf for x > 709.78 (overflow),
// 0 for x < -745.13 (underflow), gradual underflow to subnormals in between; NaN -> NaN.
// Method: x = k ln2 + r with k = round(x / ln2), r = hi - lo (hi exact, lo from kLn2Lo),
// |r| <= ln2/2; exp(r) = 1 + r + r^2 q(r) with q the Taylor series through r^14/14!
// (the next term is < 2^-62), then multiply by 2^k built from exponent bits.
PW_HD inline double exp(double x) {
  if (x != x) return x + x;  // NaN
  if (x > 7.09782712893383973096e+02) return from_bits(0x7FF0000000000000ull);
  if (x < -7.45133219101941108420e+02) return 0.0;
  const double t = x * 1.4426950408889634;  // x / ln2
  const int k = static_cast<int>(t < 0 ? t - 0.5 : t + 0.5);  // round half away (cast truncates)
  const double dk = static_cast<double>(k);
  const double hi = x - dk * kLn2Hi;  // exact
  const double lo = dk * kLn2Lo;
  const double r = hi - lo;
  const double q =
      0.5 +
      r * (0.16666666666666666 +
           r * (0.041666666666666664 +
                r * (0.008333333333333333 +
                     r * (0.001388888888888889 +
                          r * (0.0001984126984126984 +
                               r * (2.48015873015873e-05 +
                                    r * (2.7557319223985893e-06 +
                                         r * (2.755731922398589e-07 +
                                              r * (2.505210838544172e-08 +
                                                   r * (2.08767569878681e-09 +
                                                        r * (1.6059043836821613e-10 +
                                                             r * 1.1470745597729725e-11)))))))))));
  const double y = 1.0 + (hi - (lo - r * r * q));
  // y in [0.7, 1.42]; scale by 2^k. Out-of-range k is split so that only the final multiply can
  // round (at most once: into the subnormal range or to infinity).
  if (k > 1023) return y * pow2i(k - 1) * 2.0;
  if (k < -1021) return y * pow2i(k + 54) * 5.5511151231257827e-17;  // 2^-54
  return y * pow2i(k);
}

// a^b for a > 0 (a == 0 gives exp(b * -inf): 0 for b > 0, inf for b < 0). Not correctly rounded:
// the relative error grows like |b * log(a)| ulp. Chosen for bitwise agreement, not accuracy.
PW_HD inline double pow(double a, double b) { return exp(b * log(a)); }

}  // namespace pmath
}  // namespace plantwin
