// A pilot time series for choosing a warm-up: per-window WIP and throughput of a scene's
// baseline from t = 0, averaged over replications.
//
// The kernel reports only totals over [warm-up, horizon], so the series is built from K runs
// with warm-up 0 and horizons h_k = k * window (k = 1..K): lanes draw counter-based random
// numbers and no event before the horizon depends on the horizon, so the runs agree up to
// h_{k-1} and the amounts in window k are differences of consecutive runs,
//   produced in window k = produced(h_k) - produced(h_{k-1}),
//   WIP area in window k = wip_mean(h_k) * h_k - wip_mean(h_{k-1}) * h_{k-1}.
// The cost is about (K + 1) / 2 runs of the full pilot horizon.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/scene/scene.h"

namespace plantwin {

struct PilotOptions {
  double horizon_s = 0;       // pilot length from t = 0 (> 0)
  int64_t replications = 40;  // lanes averaged per window (>= 1)
  int64_t windows = 100;      // K (>= 1)
  // Called after each of the K runs with runs done and K.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct PilotSeries {
  double window_s = 0;                 // horizon_s / windows
  int64_t windows = 0, replications = 0;
  // Per replication and window, row-major [R][K]: parts finished and the WIP integral (part-s).
  std::vector<int64_t> produced;
  std::vector<double> wip_area;
  // Averages over replications, per window [K].
  std::vector<double> wip;               // time-average WIP in the window
  std::vector<double> throughput_per_h;  // parts per hour in the window
};

// Runs the baseline of `scene` (its variants are ignored) with the scene's seed; warm-up 0.
// Throws std::invalid_argument for bad options; run_batch's errors pass through.
PilotSeries run_pilot_series(const Scene& scene, const PilotOptions& options, Backend& backend);

}  // namespace plantwin
