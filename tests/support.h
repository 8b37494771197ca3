// Helpers shared by the tests: run a scene given as text on the cpu backend.
#pragma once
#include <catch2/catch.hpp>
#include <omp.h>

#include <cstring>
#include <limits>
#include <vector>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "engine/backend/backend.h"
#include "engine/batch/run_batch.h"
#include "engine/scene/scene_loader.h"

namespace plantwin::test {

// The source tree and the plantwin program: fixed at build time, but overridable through the
// environment (PLANTWIN_SOURCE_DIR, PLANTWIN_BINARY) so that a built test binary also runs on
// another machine with a copy of the tree (tools/gpu-check --prebuilt).
inline std::string source_dir() {
  const char* env = std::getenv("PLANTWIN_SOURCE_DIR");
  return env && *env ? env : PLANTWIN_SOURCE_DIR;
}
inline std::string plantwin_binary() {
  const char* env = std::getenv("PLANTWIN_BINARY");
  return env && *env ? env : PLANTWIN_BINARY;
}

inline Scene scene_from_text(const std::string& yaml, const std::string& name = "test.yaml") {
  LoadResult r = load_scene_text(yaml, name);
  if (!r.scene) {
    std::string all;
    for (const auto& d : r.diagnostics.sorted()) all += d.format() + "\n";
    throw std::runtime_error("scene does not validate:\n" + all);
  }
  return *r.scene;
}

// Runs the scene's own run settings on the cpu backend with `threads` OpenMP threads.
inline BatchResults run_cpu(const Scene& scene, int threads = 2, int64_t max_chunk_lanes = 0) {
  omp_set_num_threads(threads);
  auto backend = make_cpu_backend();
  BatchOptions opt;
  opt.max_chunk_lanes = max_chunk_lanes;
  return run_batch(scene, scene.run, *backend, opt);
}

inline BatchResults run_cpu(const std::string& yaml, int threads = 2) { return run_cpu(scene_from_text(yaml), threads); }

// Bit-for-bit equality of two arrays (memcmp: NaN lead times compare equal to themselves).
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// A hand-built batch: variants x replications of throughput per lane (lane = variant *
// replications + replication); produced and WIP follow it, no lead times (NaN). Scene
// "hand", SHA-256 "abc", horizon 1 h after 1 min, the given seed.
inline BatchResults kpi_batch(const std::vector<double>& throughput, const std::vector<std::string>& variants,
                              uint64_t seed = 7) {
  BatchResults r;
  r.scene_name = "hand";
  r.scene_sha256 = "abc";
  r.seed = seed;
  r.horizon_s = 3600;
  r.warmup_s = 60;
  r.replications = static_cast<int32_t>(throughput.size() / variants.size());
  r.variant_names = variants;
  r.lanes = static_cast<int64_t>(throughput.size());
  r.throughput_per_h = throughput;
  r.wip_mean = throughput;
  for (double v : throughput) r.produced.push_back(static_cast<int64_t>(v));
  r.lead_time_mean_s.assign(throughput.size(), std::numeric_limits<double>::quiet_NaN());
  return r;
}

// Every per-lane result of two batches is identical, bit for bit.
inline void check_identical(const BatchResults& a, const BatchResults& b) {
  REQUIRE(a.lanes == b.lanes);
  CHECK(same_bits(a.produced, b.produced));
  CHECK(same_bits(a.events, b.events));
  CHECK(same_bits(a.throughput_per_h, b.throughput_per_h));
  CHECK(same_bits(a.wip_mean, b.wip_mean));
  CHECK(same_bits(a.lead_time_mean_s, b.lead_time_mean_s));
  CHECK(same_bits(a.state_fraction, b.state_fraction));
  CHECK(same_bits(a.buffer_mean_level, b.buffer_mean_level));
  CHECK(same_bits(a.source_released, b.source_released));
  CHECK(same_bits(a.source_lost, b.source_lost));
  CHECK(same_bits(a.produced_by_part, b.produced_by_part));
  CHECK(same_bits(a.lead_time_p50_s, b.lead_time_p50_s));
  CHECK(same_bits(a.lead_time_p95_s, b.lead_time_p95_s));
  CHECK(same_bits(a.lead_time_max_s, b.lead_time_max_s));
  CHECK(same_bits(a.station_oee, b.station_oee));
  CHECK(same_bits(a.station_scrapped, b.station_scrapped));
  CHECK(same_bits(a.station_mean_active_period_s, b.station_mean_active_period_s));
  CHECK(same_bits(a.bottleneck, b.bottleneck));
  CHECK(same_bits(a.buffer_max_level, b.buffer_max_level));
  CHECK(same_bits(a.operator_utilisation, b.operator_utilisation));
  CHECK(same_bits(a.robot_utilisation, b.robot_utilisation));
  CHECK(same_bits(a.physics_lost, b.physics_lost));
  CHECK(same_bits(a.physics_contact_overflow, b.physics_contact_overflow));
  CHECK(same_bits(a.physics_steps, b.physics_steps));
}

}  // namespace plantwin::test
