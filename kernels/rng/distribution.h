// Compiled distributions and the sampler shared by both backends.
// Every method uses only the portable math (kernels/math/portable_math.h) and the keyed uniform
// stream, so a sample is bitwise identical on CPU and GPU for the same stream key.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/math/portable_math.h"
#include "kernels/rng/uniform_stream.h"

namespace plantwin {

enum class DistKind : uint8_t {
  Constant,
  Exponential,
  Uniform,
  Triangular,
  Normal,
  Lognormal,
  Gamma,
  Erlang,
  Weibull,
  Empirical
};

// POD, copied to the GPU as is. Built on the host by compile_dist (engine/model/dist_compile.h).
// Parameters per kind (unused ones are 0):
//   Constant     p0 = value
//   Exponential  p0 = mean
//   Uniform      p0 = min, p1 = max - min
//   Triangular   p0 = min, p1 = mode, p2 = max
//   Normal       p0 = mean, p1 = sd of the untruncated normal
//   Lognormal    p0 = mu, p1 = sigma of the underlying normal
//   Gamma        p0 = shape, p1 = scale, p2 = 1 / shape
//   Erlang       k = phases, p0 = mean / k (the phase mean)
//   Weibull      p0 = scale, p1 = 1 / shape
//   Empirical    table_count rows starting at table[table_offset] (an index in doubles); row i is
//                table[table_offset + 2i] = cumulative weight (normalised; exactly 1 in the
//                last row) and table[table_offset + 2i + 1] = value.
struct Dist {
  DistKind kind;
  int32_t k;
  double p0, p1, p2;
  int32_t table_offset, table_count;
};

namespace detail {

// Two independent standard normals by the Marsaglia polar method (no trig, so only portable
// math is needed). A uniform u is an odd multiple of 2^-53, so 2u - 1 is exact and never 0,
// hence s > 0 always; s >= 1 is rejected (probability 1 - pi/4).
PW_HD inline void normal_pair(UniformStream& u, double& z0, double& z1) {
  double v0, v1, s;
  do {
    v0 = 2.0 * u.next() - 1.0;
    v1 = 2.0 * u.next() - 1.0;
    s = v0 * v0 + v1 * v1;
  } while (s >= 1.0);
  const double m = pmath::sqrt(-2.0 * pmath::log(s) / s);
  z0 = v0 * m;
  z1 = v1 * m;
}

// Standard gamma (scale 1) with shape a >= 1 by Marsaglia & Tsang (2000). Both normals of each
// polar pair are used. Always > 0.
PW_HD inline double gamma_mt(double a, UniformStream& u) {
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / pmath::sqrt(9.0 * d);
  double spare_z = 0.0;
  bool have_spare = false;
  for (;;) {
    double x, v;
    do {
      if (have_spare) {
        x = spare_z;
        have_spare = false;
      } else {
        normal_pair(u, x, spare_z);
        have_spare = true;
      }
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double uu = u.next();
    const double x2 = x * x;
    if (uu < 1.0 - 0.0331 * x2 * x2) return d * v;  // squeeze: skips the logs ~98% of the time
    if (pmath::log(uu) < 0.5 * x2 + d * (1.0 - v + pmath::log(v))) return d * v;
  }
}

// Bound on normal pairs tried by the truncated normal. Only reachable if mean << 0, which the
// loader should not allow; with mean >= 0 each normal is accepted with probability >= 1/2, so
// the bound is never hit in practice. It exists so that a bad spec cannot hang a GPU lane.
constexpr int kMaxNormalPairs = 4096;

}  // namespace detail

// One sample of d. Promises: >= 0 for every spec the loader accepts; Constant consumes no draw;
// the same (d, table, stream key) gives the same bits on both backends.
PW_HD inline double sample(const Dist& d, const double* table, UniformStream& u) {
  switch (d.kind) {
    case DistKind::Constant:
      return d.p0;
    case DistKind::Exponential:  // inversion
      return -d.p0 * pmath::log(u.next());
    case DistKind::Uniform:
      return d.p0 + d.p1 * u.next();
    case DistKind::Triangular: {  // inverse CDF
      const double a = d.p0, c = d.p1, b = d.p2;
      const double w = b - a;
      if (!(w > 0.0)) return a;
      const double uu = u.next();
      double x = uu < (c - a) / w ? a + pmath::sqrt(uu * w * (c - a))
                                  : b - pmath::sqrt((1.0 - uu) * w * (b - c));
      // Rounding can step a hair outside [a, b] next to a degenerate side (mode == min or max).
      if (x < a) x = a;
      if (x > b) x = b;
      return x;
    }
    case DistKind::Normal: {  // truncated at 0 by resampling: the first non-negative normal
      for (int i = 0; i < detail::kMaxNormalPairs; ++i) {
        double z0, z1;
        detail::normal_pair(u, z0, z1);
        double x = d.p0 + d.p1 * z0;
        if (x >= 0.0) return x;
        x = d.p0 + d.p1 * z1;
        if (x >= 0.0) return x;
      }
      return 0.0;
    }
    case DistKind::Lognormal: {
      double z0, z1;
      detail::normal_pair(u, z0, z1);  // z1 is dropped: samples never share state
      return pmath::exp(d.p0 + d.p1 * z0);
    }
    case DistKind::Gamma: {
      if (d.p0 >= 1.0) return detail::gamma_mt(d.p0, u) * d.p1;
      // shape < 1: Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang's boost). The U is drawn
      // after the Gamma(a + 1) variate.
      const double g = detail::gamma_mt(d.p0 + 1.0, u);
      return g * pmath::pow(u.next(), d.p2) * d.p1;
    }
    case DistKind::Erlang: {
      if (d.k <= 16) {
        // -log of a product of k uniforms = sum of k Exp(1), with one log instead of k. Each
        // u >= 2^-53, so the product of <= 16 of them is >= 2^-848: no underflow.
        double prod = u.next();
        for (int i = 1; i < d.k; ++i) prod *= u.next();
        return -d.p0 * pmath::log(prod);
      }
      return detail::gamma_mt(static_cast<double>(d.k), u) * d.p0;
    }
    case DistKind::Weibull:  // inversion
      return d.p0 * pmath::pow(-pmath::log(u.next()), d.p1);
    case DistKind::Empirical: {
      // First row whose cumulative weight exceeds u (u < 1 == the last row's, so one exists;
      // zero-weight rows repeat the previous cumulative and are never chosen).
      const double* rows = table + d.table_offset;
      const double uu = u.next();
      int32_t lo = 0, hi = d.table_count - 1;
      while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (uu < rows[2 * mid]) hi = mid;
        else lo = mid + 1;
      }
      return rows[2 * lo + 1];
    }
  }
  return 0.0;
}

}  // namespace plantwin
