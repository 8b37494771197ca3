// The cuda backend against the cpu backend: the same kernel source must give bitwise
// identical per-lane results. Runs only where a CUDA device exists (tools/gpu-check);
// elsewhere it says so and passes.
#include <catch2/catch.hpp>

#include "tests/support.h"

#include <filesystem>

#include "engine/backend/backend.h"
#include "engine/batch/run_batch.h"
#include "engine/scene/scene_loader.h"

namespace pw = plantwin;

TEST_CASE("cuda backend gives the cpu backend's results bit for bit on every scene", "[cuda]") {
  std::string why;
  if (!pw::cuda_available(&why)) {
    WARN("cuda backend not checked: " << why);
    return;
  }
  auto cpu = pw::make_cpu_backend();
  auto cuda = pw::make_cuda_backend();
  // The scenes, and the examples' scenes, which carry variants blocks.
  std::vector<std::filesystem::path> files;
  const std::filesystem::path root = plantwin::test::source_dir();
  for (const auto& e : std::filesystem::directory_iterator(root / "scenes")) files.push_back(e.path());
  for (const auto& d : std::filesystem::directory_iterator(root / "examples"))
    if (d.is_directory())
      for (const auto& e : std::filesystem::directory_iterator(d.path())) files.push_back(e.path());
  for (const auto& file : files) {
    if (file.extension() != ".yaml") continue;
    pw::LoadResult lr = pw::load_scene_file(file.string());
    REQUIRE(lr.scene);
    pw::RunSettings run = lr.scene->run;
    run.replications = lr.scene->variants.empty() ? 257 : 9;  // not a multiple of a warp: partial blocks too
    INFO("scene " << file.string());
    plantwin::test::check_identical(pw::run_batch(*lr.scene, run, *cpu), pw::run_batch(*lr.scene, run, *cuda));
  }
}

TEST_CASE("cuda backend: chunked runs equal one launch", "[cuda]") {
  std::string why;
  if (!pw::cuda_available(&why)) {
    WARN("cuda backend not checked: " << why);
    return;
  }
  auto cuda = pw::make_cuda_backend();
  pw::LoadResult lr = pw::load_scene_file(std::string(plantwin::test::source_dir()) + "/scenes/two-station-line.yaml");
  REQUIRE(lr.scene);
  pw::RunSettings run = lr.scene->run;
  run.replications = 1000;
  pw::BatchOptions small;
  small.max_chunk_lanes = 97;
  plantwin::test::check_identical(pw::run_batch(*lr.scene, run, *cuda), pw::run_batch(*lr.scene, run, *cuda, small));
}

TEST_CASE("cuda backend gives the cpu backend's results bit for bit on the physical scenes", "[cuda][physics]") {
  std::string why;
  if (!pw::cuda_available(&why)) {
    WARN("cuda backend (physical conveyors) not checked: " << why);
    return;
  }
  auto cpu = pw::make_cpu_backend();
  auto cuda = pw::make_cuda_backend();
  const std::filesystem::path root = plantwin::test::source_dir();
  for (const auto& e : std::filesystem::directory_iterator(root / "scenes" / "physics")) {
    if (e.path().extension() != ".yaml") continue;
    pw::LoadResult lr = pw::load_scene_file(e.path().string());
    REQUIRE(lr.scene);
    pw::RunSettings run = lr.scene->run;
    run.horizon_s = 60;
    run.warmup_s = 0;
    run.replications = 33;  // a warp and one more lane
    INFO("scene " << e.path().string());
    const pw::BatchResults a = pw::run_batch(*lr.scene, run, *cpu), b = pw::run_batch(*lr.scene, run, *cuda);
    REQUIRE(a.has_physics());
    plantwin::test::check_identical(a, b);  // physics counters included
  }
}
