#include "engine/stats/mser.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace plantwin {

namespace {
// The second-half check looks only at candidates that leave this many batches: on a tail of two
// or three batch means the statistic is tiny by chance far too often (a stationary series would
// raise the caution about a third of the time).
constexpr int64_t kMinTailBatches = 5;
}  // namespace

MserResult mser(const std::vector<double>& series, int64_t batch) {
  if (batch < 1) throw std::invalid_argument("MSER: batch size must be at least 1");
  const int64_t n = static_cast<int64_t>(series.size()) / batch;
  if (n < 4)
    throw std::invalid_argument("MSER: need at least 4 batches of " + std::to_string(batch) +
                                " observations, got " + std::to_string(series.size()) + " observations");
  MserResult r;
  r.batch = batch;
  r.batch_means.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int64_t j = 0; j < batch; ++j) s += series[i * batch + j];
    r.batch_means[i] = s / static_cast<double>(batch);
  }
  // Two-pass per candidate (n is small): exact enough and simple.
  r.statistic.assign(n, std::numeric_limits<double>::quiet_NaN());
  for (int64_t d = 0; d + 2 <= n; ++d) {
    const double m = static_cast<double>(n - d);
    double mean = 0;
    for (int64_t i = d; i < n; ++i) mean += r.batch_means[i];
    mean /= m;
    double ss = 0;
    for (int64_t i = d; i < n; ++i) ss += (r.batch_means[i] - mean) * (r.batch_means[i] - mean);
    r.statistic[d] = ss / (m * m);
  }
  r.searched = (n + 1) / 2;  // d < n/2
  r.best_batches = 0;
  for (int64_t d = 1; d < r.searched; ++d)
    if (r.statistic[d] < r.statistic[r.best_batches]) r.best_batches = d;
  r.global_best_batches = 0;
  for (int64_t d = 1; d + kMinTailBatches <= n; ++d)
    if (r.statistic[d] < r.statistic[r.global_best_batches]) r.global_best_batches = d;
  r.truncation = r.best_batches * batch;
  r.at_boundary = r.searched > 1 && r.best_batches == r.searched - 1;
  r.min_in_second_half = r.global_best_batches >= r.searched;
  return r;
}

}  // namespace plantwin
