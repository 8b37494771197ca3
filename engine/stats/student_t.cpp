// The t CDF through the regularized incomplete beta function:
//   P(T > t) = 0.5 * I_x(v/2, 1/2),  x = v / (v + t^2),  t >= 0,
// with I_x(a, b) evaluated by its continued fraction (modified Lentz). The quantile
// solves P(T > t) = 1 - p by safeguarded Newton iteration on the upper tail, which keeps
// full relative precision for p near 1 where 1 - cdf would cancel.
// For very many degrees of freedom the continued fraction's stopping test becomes
// unreliable (its early terms change nothing and it stops before the later ones matter),
// so there t is mapped to the normal scale by the Cornish-Fisher expansion instead.
#include "engine/stats/student_t.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace plantwin {
namespace {

constexpr double kPi = 3.14159265358979323846;

void check_dof(double dof) {
  if (!(dof >= 1)) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", dof);
    throw std::invalid_argument(std::string("Student t: degrees of freedom must be >= 1, got ") + b);
  }
}

// Stirling correction lnGamma(z) - [(z - 1/2) ln z - z + ln(2 pi)/2] for z >= 50; the
// series' first omitted term, 1/(1188 z^9), is below 1e-18 there.
double stirling_correction(double z) {
  const double r = 1.0 / z, r2 = r * r;
  return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680))));
}

// ln B(a, b). For a large the naive lgamma(a) - lgamma(a + b) subtracts two huge, nearly
// equal numbers; there the difference is formed analytically so that large degrees of
// freedom do not lose digits.
double log_beta(double a, double b) {
  if (a < b) std::swap(a, b);  // a >= b
  if (a < 50) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  // lnG(a) - lnG(a+b) = b - b ln a - (a + b - 1/2) ln(1 + b/a) + corr(a) - corr(a+b)
  const double diff = b - b * std::log(a) - (a + b - 0.5) * std::log1p(b / a) +
                      stirling_correction(a) - stirling_correction(a + b);
  return std::lgamma(b) + diff;
}

// Continued fraction of I_x(a, b) (without its prefactor x^a (1-x)^b / (a B(a,b))):
//   1 / (1 + d1 / (1 + d2 / (1 + ...))),
//   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)).
// It converges quickly for x < (a+1)/(a+b+2); callers use the symmetry otherwise.
double beta_continued_fraction(double a, double b, double x) {
  const double tiny = 1e-300, eps = 1e-16;
  // Lentz on f = 0 + 1/(1 + d1/(1 + d2/(1 + ...))): f starts at "tiny" because b0 = 0.
  double f = tiny, c = f, d = 0.0;
  auto step = [&](double numerator) {
    d = 1.0 + numerator * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + numerator / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = c * d;
    f *= delta;
    return std::fabs(delta - 1.0) < eps;
  };
  step(1.0);  // the leading 1/(1 + ...)
  for (int m = 0; m < 1000000; ++m) {
    const double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    const bool odd_done = step(odd);
    const double k = m + 1;
    const double even = k * (b - k) * x / ((a + 2 * k - 1) * (a + 2 * k));
    if (step(even) && odd_done) return f;
  }
  return f;  // not reached for the a, b of the t distribution (needs ~sqrt(a) terms)
}

// I_x(a, b) given x, y = 1 - x, and their logarithms (passed in so that callers can
// form them without cancellation).
double regularized_incomplete_beta(double a, double b, double x, double y, double ln_x,
                                   double ln_y) {
  if (x <= 0) return 0.0;
  if (y <= 0) return 1.0;
  const double ln_front = a * ln_x + b * ln_y - log_beta(a, b);
  if (x < (a + 1) / (a + b + 2))
    return std::exp(ln_front) * beta_continued_fraction(a, b, x) / a;
  return 1.0 - std::exp(ln_front) * beta_continued_fraction(b, a, y) / b;
}

// Above this many degrees of freedom the Cornish-Fisher route is used. Its first omitted
// term is O(z^11 / dof^5), far below 1e-15 here; the beta route is still accurate to
// ~1e-12 at this dof, so the two agree at the switch.
constexpr double kAsymptoticDof = 100000;

// P(T > t) through the beta function, t >= 0.
double beta_upper_tail(double t, double dof) {
  if (std::isinf(t)) return 0.0;
  const double v = dof, t2 = t * t;
  if (t2 == 0) return 0.5;
  // x = v/(v+t^2), y = t^2/(v+t^2), and their logs via log1p: for large dof x is close
  // to 1 and a * ln(x) would otherwise amplify its rounding by a.
  const double x = v / (v + t2), y = t2 / (v + t2);
  const double ln_x = -std::log1p(t2 / v), ln_y = -std::log1p(v / t2);
  return 0.5 * regularized_incomplete_beta(0.5 * v, 0.5, x, y, ln_x, ln_y);
}

double beta_density(double t, double dof) {
  const double v = dof;
  const double ln_norm = -0.5 * std::log(v) - log_beta(0.5 * v, 0.5);  // 1/(sqrt(v) B(v/2,1/2))
  return std::exp(ln_norm - 0.5 * (v + 1) * std::log1p(t * t / v));
}

// Standard normal upper tail and density.
double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }
double normal_density(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * kPi); }

// The x >= 0 with tail(x) == q, 0 < q <= 1/2, for a tail function that is decreasing and
// convex on x >= 0 (true of both the t and the normal tail).
template <class Tail, class Density>
double solve_upper_tail(double q, Tail tail, Density density) {
  double lo = 0.0, hi = 1.0;
  while (tail(hi) > q) {  // bracket the root
    lo = hi;
    hi *= 2;
    if (std::isinf(hi)) return hi;
  }
  // Newton from the left end of the bracket: on a convex decreasing function every step
  // from left of the root stays left of it, so the iteration is monotone. The bracket
  // test and bisection fallback only guard against rounding near the root.
  double x = lo;
  for (int it = 0; it < 1000; ++it) {
    const double g = tail(x) - q;
    if (g == 0) return x;
    if (g > 0) lo = x; else hi = x;
    double next = x + g / density(x);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::fabs(next - x) <= 1e-15 * std::fmax(1.0, x) || hi - lo <= 1e-15 * hi) return next;
    x = next;
  }
  return x;
}

// Cornish-Fisher expansion of the t quantile in the normal quantile z (Abramowitz &
// Stegun 26.7.5): t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4. Returns t and dt/dz.
struct CornishFisher { double t, dt_dz; };
CornishFisher cornish_fisher(double z, double v) {
  const double z2 = z * z;
  // g_k(z) = z * P_k(z^2); evaluate P_k and its derivative by Horner.
  const double p1 = (z2 + 1) / 4;
  const double p2 = ((5 * z2 + 16) * z2 + 3) / 96;
  const double p3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384;
  const double p4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160;
  const double dp1 = 1.0 / 4;
  const double dp2 = (10 * z2 + 16) / 96;
  const double dp3 = ((9 * z2 + 38) * z2 + 17) / 384;
  const double dp4 = (((316 * z2 + 2328) * z2 + 2964) * z2 - 1920) / 92160;
  const double r = 1.0 / v;
  const double sum = 1 + r * (p1 + r * (p2 + r * (p3 + r * p4)));
  const double dsum = r * (dp1 + r * (dp2 + r * (dp3 + r * dp4)));  // d sum / d(z^2)
  return {z * sum, sum + 2 * z2 * dsum};
}

// P(T > t) for t >= 0.
double upper_tail(double t, double dof) {
  if (dof <= kAsymptoticDof) return beta_upper_tail(t, dof);
  if (std::isinf(t)) return 0.0;
  // Invert the expansion (Newton from z = t; it is within 1/dof of identity).
  double z = t;
  for (int it = 0; it < 50; ++it) {
    const CornishFisher cf = cornish_fisher(z, dof);
    const double step = (cf.t - t) / cf.dt_dz;
    z -= step;
    if (std::fabs(step) <= 1e-16 * std::fmax(1.0, z)) break;
  }
  return normal_upper_tail(z);
}

// The t >= 0 with upper_tail(t) == q, 0 < q <= 1/2.
double upper_quantile(double q, double dof) {
  if (dof <= kAsymptoticDof)
    return solve_upper_tail(q, [dof](double t) { return beta_upper_tail(t, dof); },
                            [dof](double t) { return beta_density(t, dof); });
  const double z = solve_upper_tail(q, normal_upper_tail, normal_density);
  return cornish_fisher(z, dof).t;
}

}  // namespace

double student_t_cdf(double t, double dof) {
  check_dof(dof);
  if (std::isnan(t)) return t;
  return t >= 0 ? 1.0 - upper_tail(t, dof) : upper_tail(-t, dof);
}

double student_t_quantile(double p, double dof) {
  check_dof(dof);
  if (!(p >= 0 && p <= 1))
    throw std::invalid_argument("Student t quantile: p must be in [0, 1], got " +
                                std::to_string(p));
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0.0;
  // Work on the smaller tail so that its probability is exact.
  return p > 0.5 ? upper_quantile(1.0 - p, dof) : -upper_quantile(p, dof);
}

}  // namespace plantwin
