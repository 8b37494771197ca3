// The compiled model: the scene turned into flat arrays (flow::FlowModel's storage), plus
// the names and indices the host needs to label results. Built once per batch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/scene/scene.h"
#include "kernels/flow/flow_model.h"

namespace plantwin {

struct Model {
  int32_t n_elements = 0, n_slots = 0, n_variants = 1, replications = 1;
  uint64_t seed = 1;
  double warmup_s = 0, horizon_s = 0;
  int32_t inf_slots = 0;  // ring size given to each infinite buffer
  int32_t first_replication = 0;  // the random streams of replication first_replication + r

  std::vector<uint8_t> kind, flags;
  std::vector<int32_t> succ, pred_begin, pred, slot_begin, stat_index, timed, timed_index;
  std::vector<int64_t> capacity;                    // [V][E]
  std::vector<double> travel, gap;                  // [V][E]
  std::vector<Dist> main_dist, ttf_dist, ttr_dist;  // [V][E]
  std::vector<double> table;

  std::vector<int32_t> stations, buffers, sources;  // element indices, scene order

  int64_t lanes() const { return static_cast<int64_t>(n_variants) * replications; }
  int32_t n_stations() const { return static_cast<int32_t>(stations.size()); }
  int32_t n_buffers() const { return static_cast<int32_t>(buffers.size()); }
  // Parallel servers of station element e in variant v.
  int64_t servers(int32_t v, int32_t e) const { return capacity[static_cast<size_t>(v) * n_elements + e]; }

  // The kernel's view of this model, pointing into these vectors (host memory).
  flow::FlowModel view() const;
};

// Compiles a validated scene with its run settings (which may differ from scene.run when the
// command line overrides them). `inf_slots` is the ring size of each infinite buffer.
Model compile_model(const Scene& scene, const RunSettings& run, int32_t inf_slots = 1024);

// Compiles a batch of variants: the structure from variants[0] (the baseline), one parameter
// row per variant. Every variant has the same element graph (the variants block can only
// change numbers, durations and positions).
Model compile_model(const std::vector<Scene>& variants, const RunSettings& run, int32_t inf_slots = 1024);

}  // namespace plantwin
