#include "engine/stats/oee.h"

#include <cstddef>
#include <limits>

namespace plantwin {

Oee compute_oee(double planned_s, double downtime_s, double ideal_s, int64_t done, int64_t scrapped,
                int64_t reworked) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double run_s = planned_s - downtime_s;
  Oee o;
  o.availability = planned_s > 0 ? run_s / planned_s : nan;
  o.performance = run_s > 0 ? ideal_s / run_s : nan;
  o.quality = done > 0 ? static_cast<double>(done - scrapped - reworked) / static_cast<double>(done) : nan;
  if (!(planned_s > 0)) o.oee = nan;
  else if (done <= 0) o.oee = 0;
  else o.oee = ideal_s * o.quality / planned_s;
  return o;
}

Oee station_oee(const double* state_seconds, int states, double ideal_s, int64_t done, int64_t scrapped,
                int64_t reworked) {
  // flow::ServerState: working 0, blocked 1, starved 2, failed 3, setup 4, waiting_operator 5, off_shift 6.
  double planned = 0, downtime = 0;
  for (int k = 0; k < states; ++k) {
    if (k == 6) continue;  // off shift: not planned
    planned += state_seconds[k];
    if (k == 3 || k == 4 || k == 5) downtime += state_seconds[k];
  }
  return compute_oee(planned, downtime, ideal_s, done, scrapped, reworked);
}

int32_t active_period_bottleneck(const double* active_s, const int64_t* periods, int64_t stations) {
  int32_t best = -1;
  double longest = 0;
  for (int64_t s = 0; s < stations; ++s) {
    if (periods[s] <= 0) continue;
    const double mean = active_s[s] / static_cast<double>(periods[s]);
    if (best < 0 || mean > longest) {
      best = static_cast<int32_t>(s);
      longest = mean;
    }
  }
  return best;
}

std::vector<double> bottleneck_shares(const std::vector<int32_t>& bottleneck, int64_t variants,
                                      int64_t replications, int64_t stations) {
  std::vector<double> share(static_cast<size_t>(variants * stations), 0.0);
  if (replications <= 0) return share;
  for (int64_t v = 0; v < variants; ++v)
    for (int64_t r = 0; r < replications; ++r) {
      const size_t l = static_cast<size_t>(v * replications + r);
      if (l >= bottleneck.size()) continue;
      const int32_t s = bottleneck[l];
      if (s >= 0 && s < stations) share[static_cast<size_t>(v * stations + s)] += 1.0;
    }
  for (double& x : share) x /= static_cast<double>(replications);
  return share;
}

}  // namespace plantwin
