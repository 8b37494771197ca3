// Checkpoints (engine/batch/checkpoint.h, plantwin run --checkpoint): a batch stopped part way
// and resumed from its checkpoint gives the same results, bit for bit, as the batch run
// straight through; a checkpoint of another batch, or a damaged one, is refused before
// anything runs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/batch/checkpoint.h"
#include "engine/batch/run_batch.h"
#include "engine/io/results_reader.h"
#include "engine/version.h"
#include "tests/cli_support.h"

namespace fs = std::filesystem;
using namespace plantwin;
using plantwin::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Crash {};  // what a kill -9 or a power cut does to a batch, as far as its lanes go

std::string scene_path(const std::string& name) { return (fs::path(test::source_dir()) / "scenes" / name).string(); }

Scene load(const std::string& name) {
  LoadResult r = load_scene_file(scene_path(name));
  REQUIRE(r.scene);
  return *r.scene;
}

// Runs `scene` in chunks of `chunk` lanes, saving a checkpoint after every chunk, and crashes
// once `crash_after` lanes are done. Returns the key the checkpoint was written under.
std::string run_until_crash(const Scene& scene, const RunSettings& run, const std::string& path, int64_t chunk,
                            int64_t crash_after) {
  auto backend = make_cpu_backend();
  BatchOptions opt;
  opt.max_chunk_lanes = chunk;
  std::string key;
  opt.resume = [&](BatchResults& r) {
    key = checkpoint_key(r, {}, PLANTWIN_VERSION);
    return int64_t{0};
  };
  opt.checkpoint = [&](const BatchResults& r, int64_t done, bool) {
    write_checkpoint(path, key, r, done);
    if (done >= crash_after) throw Crash{};
  };
  CHECK_THROWS_AS(run_batch(scene, run, *backend, opt), Crash);
  return key;
}

BatchResults resume_from(const Scene& scene, const RunSettings& run, const std::string& path, int64_t chunk,
                         int64_t* resumed) {
  auto backend = make_cpu_backend();
  BatchOptions opt;
  opt.max_chunk_lanes = chunk;
  opt.resume = [&](BatchResults& r) {
    *resumed = read_checkpoint(path, checkpoint_key(r, {}, PLANTWIN_VERSION), r);
    return *resumed;
  };
  return run_batch(scene, run, *backend, opt);
}

}  // namespace

TEST_CASE("checkpoint: a batch resumed after a crash equals the batch run straight through", "[checkpoint]") {
  TempDir dir;
  const std::string path = (dir.path / "ck.bin").string();
  // Part types, setups, shifts, operators, assemblies, scrap and rework, and three variants
  // (electronics-assembly), 4 replications each: 12 lanes.
  const Scene scene = load("electronics-assembly.yaml");
  RunSettings run = scene.run;
  run.replications = 4;
  run.horizon_s = 8 * 3600;
  auto backend = make_cpu_backend();
  const BatchResults straight = run_batch(scene, run, *backend);
  REQUIRE(straight.lanes == 12);

  run_until_crash(scene, run, path, 3, 6);  // lanes 0..5 saved, then the crash
  int64_t resumed = -1;
  // Resumed in chunks of another size: lanes depend neither on each other nor on the chunking.
  const BatchResults again = resume_from(scene, run, path, 5, &resumed);
  CHECK(resumed == 6);
  test::check_identical(straight, again);
  CHECK(test::same_bits(straight.bottleneck_share, again.bottleneck_share));
}

TEST_CASE("checkpoint: another batch's, a damaged or a foreign file is refused", "[checkpoint]") {
  TempDir dir;
  const std::string path = (dir.path / "ck.bin").string();
  const Scene scene = load("two-station-line.yaml");
  RunSettings run = scene.run;
  run.replications = 10;
  run.horizon_s = 3600;
  run_until_crash(scene, run, path, 4, 4);
  const std::string good = test::slurp(path);
  int64_t resumed = -1;

  SECTION("another seed, horizon or replication count is another batch") {
    RunSettings other = run;
    other.seed += 1;
    CHECK_THROWS_WITH(resume_from(scene, other, path, 4, &resumed), Catch::Contains("belongs to another batch"));
    other = run;
    other.horizon_s *= 2;
    CHECK_THROWS_WITH(resume_from(scene, other, path, 4, &resumed), Catch::Contains("belongs to another batch"));
    other = run;
    other.replications = 11;
    CHECK_THROWS_WITH(resume_from(scene, other, path, 4, &resumed), Catch::Contains("belongs to another batch"));
    // --set overrides are part of the key too.
    auto backend = make_cpu_backend();
    BatchOptions opt;
    opt.resume = [&](BatchResults& r) { return read_checkpoint(path, checkpoint_key(r, {"b1.capacity=3"}, PLANTWIN_VERSION), r); };
    CHECK_THROWS_AS(run_batch(scene, run, *backend, opt), CheckpointRefused);
  }
  SECTION("a truncated file, a flipped byte, bytes after the end") {
    for (size_t cut : {good.size() - 1, good.size() - 9, good.size() / 2, size_t(30)}) {
      std::ofstream(path, std::ios::binary) << good.substr(0, cut);
      INFO("cut at " << cut);
      CHECK_THROWS_WITH(resume_from(scene, run, path, 4, &resumed), Catch::Contains("damaged checkpoint"));
    }
    std::string flipped = good;
    flipped[good.size() / 2] ^= 0x10;  // inside the rows of a vector
    std::ofstream(path, std::ios::binary) << flipped;
    CHECK_THROWS_WITH(resume_from(scene, run, path, 4, &resumed), Catch::Contains("checksum mismatch"));
    std::ofstream(path, std::ios::binary) << good << "x";
    CHECK_THROWS_WITH(resume_from(scene, run, path, 4, &resumed), Catch::Contains("bytes after the end"));
  }
  SECTION("not a checkpoint at all") {
    std::ofstream(path, std::ios::binary) << "plantwin: 1\nname: oops\n";
    CHECK_THROWS_WITH(resume_from(scene, run, path, 4, &resumed), Catch::Contains("not a plantwin checkpoint"));
  }
  SECTION("the intact file resumes") {
    std::ofstream(path, std::ios::binary) << good;
    CHECK_NOTHROW(resume_from(scene, run, path, 4, &resumed));
    CHECK(resumed == 4);
  }
}

TEST_CASE("run --checkpoint: a signal saves the lanes done; the same command resumes them, bit for bit",
          "[checkpoint][cli]") {
  TempDir dir;
  const std::string scene = scene_path("two-station-line.yaml");

  SECTION("SIGINT saves a checkpoint and no results; another seed is refused before it runs") {
    const test::Stopped s = test::run_and_signal(dir, "INT", "--checkpoint ck.bin --checkpoint-every 0");
    INFO(s.err);
    CHECK(s.status == 130);
    CHECK(contains(s.err, "lanes saved in 'ck.bin'; run the same command again to resume"));
    CHECK(dir.entries() == std::vector<std::string>{"ck.bin"});
    const auto other = test::run_plantwin(dir, {"run", scene, "--replications", "400000", "--backend", "cpu", "-q",
                                                "-o", "r.h5", "--checkpoint", "ck.bin", "--seed", "99"});
    INFO(other.err);
    CHECK(other.status == 2);
    CHECK(contains(other.err, "ck.bin: this checkpoint belongs to another batch"));
    CHECK(dir.entries() == std::vector<std::string>{"ck.bin"});
  }

  SECTION("a resumed run writes the same results as a run straight through, and removes the checkpoint") {
    // The checkpoint of a batch that crashed after 8 of its 30 lanes, as the library writes it.
    const Scene sc = load("two-station-line.yaml");
    RunSettings run = sc.run;
    run.replications = 30;
    run_until_crash(sc, run, (dir.path / "ck.bin").string(), 4, 8);
    const std::vector<std::string> common = {"run", scene, "--replications", "30", "--backend", "cpu"};
    auto args = common;
    args.insert(args.end(), {"-o", "resumed.h5", "--checkpoint", "ck.bin"});
    const auto resumed = test::run_plantwin(dir, args);
    INFO(resumed.err);
    REQUIRE(resumed.status == 0);
    CHECK(contains(resumed.err, "resuming from 'ck.bin': 8 of 30 lanes already done"));
    args = common;
    args.insert(args.end(), {"-o", "straight.h5", "-q"});
    REQUIRE(test::run_plantwin(dir, args).status == 0);
    CHECK(dir.entries() == std::vector<std::string>{"resumed.h5", "straight.h5"});
    const BatchResults a = read_results((dir.path / "straight.h5").string());
    const BatchResults b = read_results((dir.path / "resumed.h5").string());
    test::check_identical(a, b);
  }

  SECTION("--checkpoint is refused with --target-ci and as the results file itself") {
    auto r = test::run_plantwin(dir, {"run", scene, "--checkpoint", "ck.bin", "--target-ci", "5"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--checkpoint cannot be combined with --target-ci"));
    r = test::run_plantwin(dir, {"run", scene, "--checkpoint", "r.h5", "-o", "r.h5"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--checkpoint must name another file"));
    CHECK(dir.entries().empty());
  }
}
