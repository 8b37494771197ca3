#include "engine/stats/percentile.h"

#include <algorithm>
#include <limits>

#include "kernels/stats/lead_histogram.h"

namespace plantwin {

double lead_time_quantile(const int32_t* counts, double q, double max_s) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(q >= 0.0 && q <= 1.0)) return nan;
  int64_t n = 0;
  for (int b = 0; b < stats::kLeadBins; ++b) n += counts[b] > 0 ? counts[b] : 0;
  if (n == 0) return nan;
  const double target = q * static_cast<double>(n);
  const int max_bin = stats::lead_bin(max_s);
  int64_t below = 0;  // counts in the bins before b
  for (int b = 0; b < stats::kLeadBins; ++b) {
    const int64_t c = counts[b] > 0 ? counts[b] : 0;
    if (c == 0) continue;
    if (static_cast<double>(below + c) >= target || b == stats::kLeadBins - 1) {
      const double lower = stats::lead_bin_lower(b);
      double upper = b == max_bin || b == stats::kLeadBins - 1 ? max_s : stats::lead_bin_upper(b);
      if (upper < lower) upper = lower;
      const double within = std::clamp((target - static_cast<double>(below)) / static_cast<double>(c), 0.0, 1.0);
      return std::min(lower + within * (upper - lower), max_s);
    }
    below += c;
  }
  return max_s;  // not reached: the last non-empty bin always reaches q * n <= n
}

}  // namespace plantwin
