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
  for_each_lane_vector([&](auto& x, const auto& y) { merge(x, y, V, R, R2); }, a, b);
  a.replications = static_cast<int32_t>(R + R2);
  a.lanes = V * (R + R2);
  // A share over the replications: recomputed over all of them (not mergeable as rows).
  if (a.has_factory_kpis())
    a.bottleneck_share = bottleneck_shares(a.bottleneck, V, R + R2, static_cast<int64_t>(a.station_names.size()));
}

}  // namespace plantwin
