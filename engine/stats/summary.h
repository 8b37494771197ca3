// Summaries over replications: the mean and the half-width of its 95 % confidence interval.
#pragma once
#include <cstdint>
#include <vector>

namespace plantwin {

struct MeanCI {
  double mean;   // arithmetic mean of the finite values; NaN when there are none
  double ci95;   // half-width of the 95 % Student-t interval; 0 when n == 1, NaN when n == 0
  int64_t n;     // number of finite values that entered
};

// Mean and half-width t_{0.975, n-1} * s / sqrt(n) (s: sample standard deviation) of the
// n values values[0], values[stride], ..., values[(n-1)*stride]. Non-finite values (NaN,
// e.g. a lead time with no finished part, and +-inf) are skipped and not counted.
MeanCI mean_ci95(const double* values, int64_t n, int64_t stride = 1);

// Per-variant summary of a per-lane KPI column (lane = variant * replications + replication).
// Throws std::invalid_argument unless per_lane.size() == variants * replications.
std::vector<MeanCI> summarize_by_variant(const std::vector<double>& per_lane, int64_t variants,
                                         int64_t replications);

}  // namespace plantwin
