#include "engine/stats/summary.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/stats/student_t.h"

namespace plantwin {

MeanCI mean_ci95(const double* values, int64_t n, int64_t stride) {
  // Two passes (mean, then squared deviations) rather than sum of squares: KPI values such
  // as produced counts are large with small spread, where the one-pass formula cancels.
  double sum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = values[i * stride];
    if (std::isfinite(x)) {
      sum += x;
      ++count;
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (count == 0) return {nan, nan, 0};
  const double mean = sum / count;
  if (count == 1) return {mean, 0.0, 1};
  double squares = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = values[i * stride];
    if (std::isfinite(x)) squares += (x - mean) * (x - mean);
  }
  const double sd = std::sqrt(squares / (count - 1));
  const int dof = count - 1 > INT32_MAX ? INT32_MAX : static_cast<int>(count - 1);
  return {mean, student_t_quantile(0.975, dof) * sd / std::sqrt(static_cast<double>(count)),
          count};
}

std::vector<MeanCI> summarize_by_variant(const std::vector<double>& per_lane, int64_t variants,
                                         int64_t replications) {
  if (variants < 0 || replications < 0 ||
      static_cast<int64_t>(per_lane.size()) != variants * replications)
    throw std::invalid_argument("summarize_by_variant: " + std::to_string(per_lane.size()) +
                                " lanes, expected " + std::to_string(variants) + " variants x " +
                                std::to_string(replications) + " replications");
  std::vector<MeanCI> out;
  out.reserve(static_cast<size_t>(variants));
  for (int64_t v = 0; v < variants; ++v)
    out.push_back(mean_ci95(per_lane.data() + v * replications, replications));
  return out;
}

}  // namespace plantwin
