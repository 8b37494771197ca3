#include "engine/batch/pilot_series.h"

#include <cmath>
#include <stdexcept>

#include "engine/batch/run_batch.h"

namespace plantwin {

PilotSeries run_pilot_series(const Scene& scene, const PilotOptions& options, Backend& backend) {
  if (!(options.horizon_s > 0) || !std::isfinite(options.horizon_s))
    throw std::invalid_argument("pilot horizon must be a positive duration");
  if (options.replications < 1) throw std::invalid_argument("pilot replications must be at least 1");
  if (options.windows < 1) throw std::invalid_argument("pilot windows must be at least 1");

  Scene base = scene;
  base.variants = VariantsSpec{};  // the baseline alone
  const int64_t K = options.windows, R = options.replications;
  PilotSeries s;
  s.window_s = options.horizon_s / static_cast<double>(K);
  s.windows = K;
  s.replications = R;
  s.produced.assign(R * K, 0);
  s.wip_area.assign(R * K, 0.0);

  RunSettings run = scene.run;
  run.warmup_s = 0;
  run.replications = R;
  std::vector<int64_t> prev_produced(R, 0);
  std::vector<double> prev_area(R, 0.0);
  for (int64_t k = 1; k <= K; ++k) {
    // The last horizon is exactly the pilot horizon, not K * (horizon / K).
    run.horizon_s = k == K ? options.horizon_s : static_cast<double>(k) * s.window_s;
    BatchResults b = run_batch(base, run, backend);
    for (int64_t r = 0; r < R; ++r) {
      const double area = b.wip_mean[r] * run.horizon_s;
      s.produced[r * K + (k - 1)] = b.produced[r] - prev_produced[r];
      s.wip_area[r * K + (k - 1)] = area - prev_area[r];
      prev_produced[r] = b.produced[r];
      prev_area[r] = area;
    }
    if (options.progress) options.progress(k, K);
  }

  s.wip.assign(K, 0.0);
  s.throughput_per_h.assign(K, 0.0);
  for (int64_t k = 0; k < K; ++k) {
    double p = 0, a = 0;
    for (int64_t r = 0; r < R; ++r) {
      p += static_cast<double>(s.produced[r * K + k]);
      a += s.wip_area[r * K + k];
    }
    s.wip[k] = a / static_cast<double>(R) / s.window_s;
    s.throughput_per_h[k] = p / static_cast<double>(R) / s.window_s * 3600.0;
  }
  return s;
}

}  // namespace plantwin
