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
  int k = 0;
  for_each_lane_vector(
      [&](const auto& x, const auto& y) {
        INFO("per-lane vector " << k++ << " of for_each_lane_vector");
        CHECK(same_bits(x, y));
      },
      a, b);
}

}  // namespace plantwin::test
