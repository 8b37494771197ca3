#include "engine/batch/append_replications.h"

#include <stdexcept>

#include "engine/stats/oee.h"

namespace plantwin {
namespace {

// Interleaves per-lane rows of width w: variant v's R rows of `a` then its R' rows of `b`.
template <class T>
void merge(std::vector<T>& a, const std::vector<T>& b, int64_t V, int64_t R, int64_t R2) {
  if (V == 0) return;
  const int64_t w = static_cast<int64_t>(a.size()) / (V * R);
  std::vector<T> out;
  out.reserve(a.size() + b.size());
  for (int64_t v = 0; v < V; ++v) {
    out.insert(out.end(), a.begin() + v * R * w, a.begin() + (v + 1) * R * w);
    out.insert(out.end(), b.begin() + v * R2 * w, b.begin() + (v + 1) * R2 * w);
  }
  a.swap(out);
}

}  // namespace

void append_replications(BatchResults& a, const BatchResults& b) {
  if (a.scene_sha256 != b.scene_sha256 || a.variant_names != b.variant_names || a.seed != b.seed ||
      a.horizon_s != b.horizon_s || a.warmup_s != b.warmup_s)
    throw std::invalid_argument("append_replications: the batches differ in scene, variants or run settings");
  if (a.part_names != b.part_names || a.pool_names != b.pool_names || a.robot_names != b.robot_names ||
      a.station_names != b.station_names)
    throw std::invalid_argument("append_replications: the batches differ in stations, part types, operators or robots");
  const int64_t V = a.variants(), R = a.replications, R2 = b.replications;
  merge(a.produced, b.produced, V, R, R2);
  merge(a.physics_lost, b.physics_lost, V, R, R2);
  merge(a.physics_contact_overflow, b.physics_contact_overflow, V, R, R2);
  merge(a.physics_steps, b.physics_steps, V, R, R2);
  merge(a.throughput_per_h, b.throughput_per_h, V, R, R2);
  merge(a.wip_mean, b.wip_mean, V, R, R2);
  merge(a.lead_time_mean_s, b.lead_time_mean_s, V, R, R2);
  merge(a.events, b.events, V, R, R2);
  merge(a.deadlock_at_s, b.deadlock_at_s, V, R, R2);
  merge(a.state_fraction, b.state_fraction, V, R, R2);
  merge(a.buffer_mean_level, b.buffer_mean_level, V, R, R2);
  merge(a.source_released, b.source_released, V, R, R2);
  merge(a.source_lost, b.source_lost, V, R, R2);
  merge(a.produced_by_part, b.produced_by_part, V, R, R2);
  merge(a.throughput_by_part_per_h, b.throughput_by_part_per_h, V, R, R2);
  merge(a.lead_time_p50_s, b.lead_time_p50_s, V, R, R2);
  merge(a.lead_time_p90_s, b.lead_time_p90_s, V, R, R2);
  merge(a.lead_time_p95_s, b.lead_time_p95_s, V, R, R2);
  merge(a.lead_time_max_s, b.lead_time_max_s, V, R, R2);
  merge(a.station_oee, b.station_oee, V, R, R2);
  merge(a.station_availability, b.station_availability, V, R, R2);
  merge(a.station_performance, b.station_performance, V, R, R2);
  merge(a.station_quality, b.station_quality, V, R, R2);
  merge(a.station_scrapped, b.station_scrapped, V, R, R2);
  merge(a.station_reworked, b.station_reworked, V, R, R2);
  merge(a.station_mean_active_period_s, b.station_mean_active_period_s, V, R, R2);
  merge(a.station_active_fraction, b.station_active_fraction, V, R, R2);
  merge(a.bottleneck, b.bottleneck, V, R, R2);
  merge(a.buffer_max_level, b.buffer_max_level, V, R, R2);
  merge(a.operator_utilisation, b.operator_utilisation, V, R, R2);
  merge(a.robot_utilisation, b.robot_utilisation, V, R, R2);
  a.replications = static_cast<int32_t>(R + R2);
  a.lanes = V * (R + R2);
  // A share over the replications: recomputed over all of them (not mergeable as rows).
  if (a.has_factory_kpis())
    a.bottleneck_share = bottleneck_shares(a.bottleneck, V, R + R2, static_cast<int64_t>(a.station_names.size()));
}

}  // namespace plantwin
