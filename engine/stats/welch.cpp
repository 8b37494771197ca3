#include "engine/stats/welch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/stats/student_t.h"

namespace plantwin {

WelchResult welch_test(const SampleSummary& a, const SampleSummary& b) {
  WelchResult r;
  r.diff = b.mean - a.mean;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a.n < 2 || b.n < 2 || !std::isfinite(a.mean) || !std::isfinite(b.mean) || !std::isfinite(a.sd) ||
      !std::isfinite(b.sd)) {
    r.se = r.t = r.dof = r.p = nan;
    return r;
  }
  r.tested = true;
  const double va = a.sd * a.sd / static_cast<double>(a.n), vb = b.sd * b.sd / static_cast<double>(b.n);
  r.se = std::sqrt(va + vb);
  if (r.se == 0) {
    r.dof = static_cast<double>(std::min(a.n, b.n) - 1);
    r.t = r.diff == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), r.diff);
    r.p = r.diff == 0 ? 1.0 : 0.0;
    return r;
  }
  r.t = r.diff / r.se;
  // Welch-Satterthwaite; a side with zero variance contributes nothing to the denominator.
  const double den = va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1);
  r.dof = (va + vb) * (va + vb) / den;
  // Rounding can leave dof a hair below its lower bound min(n) - 1 >= 1.
  r.dof = std::max(r.dof, 1.0);
  const double tail = student_t_cdf(-std::fabs(r.t), r.dof);  // P(T <= -|t|), exact in the tail
  r.p = std::min(1.0, 2.0 * tail);
  return r;
}

SampleSummary summarize_sample(const double* values, int64_t n, int64_t stride) {
  SampleSummary s;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = values[i * stride];
    if (!std::isfinite(x)) continue;
    sum += x;
    ++s.n;
  }
  if (s.n == 0) {
    s.mean = s.sd = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  s.mean = sum / static_cast<double>(s.n);
  double ss = 0;  // two passes: no cancellation for KPIs with a large mean and small spread
  for (int64_t i = 0; i < n; ++i) {
    const double x = values[i * stride];
    if (std::isfinite(x)) ss += (x - s.mean) * (x - s.mean);
  }
  s.sd = s.n > 1 ? std::sqrt(ss / static_cast<double>(s.n - 1)) : 0.0;
  return s;
}

}  // namespace plantwin
