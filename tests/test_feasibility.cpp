// The feasibility check `plantwin run` makes before simulating: a batch too large for this
// machine's memory or for the output folder's free space is refused with the numbers.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "engine/batch/feasibility.h"
#include "tests/support.h"

using namespace plantwin;
using plantwin::test::scene_from_text;

namespace {

const char* kLine = R"(plantwin: 1
name: feasibility-line
run: {horizon: 1h, warmup: 0, replications: 10, seed: 3}
elements:
  src: {type: source, to: m1}
  m1: {type: station, process: {exponential: 10s}, to: b1}
  b1: {type: buffer, capacity: 2, to: m2}
  m2: {type: station, process: {exponential: 11s}, to: out}
  out: {type: sink}
)";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("feasibility: human units and thousands separators", "[feasibility]") {
  CHECK(human_bytes(512) == "512 B");
  CHECK(human_bytes(21400000000ull) == "21.4 GB");
  CHECK(human_bytes(3200000000000ull) == "3.2 TB");
  CHECK(human_bytes(999999) == "1.0 MB");
  CHECK(with_commas(1000000000) == "1,000,000,000");
  CHECK(with_commas(999) == "999");
  CHECK(with_commas(1000) == "1,000");
}

TEST_CASE("feasibility: sizes are counted from the shapes of the results", "[feasibility]") {
  BatchShape s;
  s.lanes = 1000;
  s.variants = 2;
  s.stations = 2;
  s.buffers = 1;
  s.sources = 1;
  s.elements = 5;
  // Per lane: 5 KPIs + 4 lead-time percentiles + 2 stations x (7 states + 8 factory KPIs)
  // + 1 buffer x (mean, max) + 2 x 1 source + 1 part x (count, rate) = 45 numbers of 8 bytes,
  // and a 4-byte bottleneck index; per variant: the bottleneck share of each station.
  const size_t per_lane = (5 + 4 + 2 * (7 + 8) + 2 + 2 + 2) * 8 + 4;
  CHECK(results_memory_bytes(s) == 1000u * per_lane + 2 * 2 * 8);
  // + lane variant/replication (int32 each) + 9 KPIs x 4 summaries x 2 variants.
  CHECK(results_file_bytes(s) == 1000u * per_lane + 2 * 2 * 8 + 1000u * 8 + 9 * 4 * 2 * 8);
  CHECK(chunk_lanes(1000, 100, 1000000, 32) == 50);   // lanes / 20
  CHECK(chunk_lanes(1000, 100, 1000000, 400) == 400);  // at least min_chunk_lanes
  CHECK(chunk_lanes(1000, 100, 2000, 400) == 20);      // capped by the memory budget
  CHECK(chunk_lanes(10, 100, 1000000, 400) == 10);     // never more than the batch
}

TEST_CASE("feasibility: an ordinary batch is ok", "[feasibility]") {
  Scene scene = scene_from_text(kLine);
  Model model = compile_model(scene, scene.run);
  auto backend = make_cpu_backend();
  Feasibility f = check_batch(model, *backend, "results.h5");
  INFO(f.why);
  CHECK(f.ok);
  CHECK(f.why.empty());
  CHECK(f.results_bytes > 0);
  CHECK(f.memory_bytes >= f.results_bytes / 2);
  CHECK(f.mem_available_bytes > 0);
  CHECK(f.disk_free_bytes > 0);
}

TEST_CASE("feasibility: 10^12 lanes are refused for memory, with the numbers", "[feasibility]") {
  Scene scene = scene_from_text(kLine);
  RunSettings run = scene.run;
  run.replications = 1;
  Model model = compile_model(scene, run);
  auto backend = make_cpu_backend();
  const int64_t lanes = 1000000000000;  // 10^12
  Feasibility f = check_batch(model, *backend, "results.h5", lanes, 1);
  INFO(f.why);
  REQUIRE_FALSE(f.ok);
  // 16 numbers a lane in memory at least: 128 bytes x 10^12 = 128 TB.
  CHECK(f.memory_bytes >= 128000000000000ull);
  CHECK(contains(f.why, "the results of 1,000,000,000,000 lanes need about "));
  CHECK(contains(f.why, "TB of memory; this machine has "));
  CHECK(contains(f.why, " available"));
  CHECK(contains(f.why, "run fewer variants or replications"));

  // The same through a model whose own lane count is huge (variants x replications).
  model.n_variants = 1000;
  model.replications = 1000000000;
  Feasibility g = check_batch(model, *backend, "results.h5");
  CHECK_FALSE(g.ok);
  CHECK(contains(g.why, "1,000,000,000,000 lanes"));
}

TEST_CASE("feasibility: the thresholds, on fabricated numbers", "[feasibility]") {
  const uint64_t GB = 1000000000ull;
  SECTION("fits") {
    Feasibility f = judge_batch(1000, 4 * GB, 10 * GB, 16 * GB, 2 * GB, "out");
    CHECK(f.ok);
    CHECK(f.why.empty());
    CHECK(f.results_bytes == 4 * GB);
    CHECK(f.memory_bytes == 10 * GB);
    CHECK(f.mem_available_bytes == 16 * GB);
    CHECK(f.disk_free_bytes == 2 * GB);
  }
  SECTION("memory: refused above 80 % of MemAvailable") {
    CHECK(judge_batch(1000, 0, 8 * GB, 10 * GB, kUnknownBytes, "out").ok);
    Feasibility f = judge_batch(1000000000, 0, 8 * GB + 1, 10 * GB, kUnknownBytes, "out");
    CHECK_FALSE(f.ok);
    CHECK(f.why == "the results of 1,000,000,000 lanes need about 8.0 GB of memory; this machine has 10.0 GB "
                   "available (a batch may use 80 % of it): run fewer variants or replications");
  }
  SECTION("disk: refused only when even 4x compression would not fit") {
    // 40 GB uncompressed, 10 GB free: compressed 4x it just fits.
    CHECK(judge_batch(1000, 40 * GB, 1 * GB, kUnknownBytes, 10 * GB, "out").ok);
    Feasibility f = judge_batch(2500000, 40 * GB + 4, 1 * GB, kUnknownBytes, 10 * GB, "/data/out");
    CHECK_FALSE(f.ok);
    CHECK(contains(f.why, "the results of 2,500,000 lanes make a file of up to 40.0 GB"));
    CHECK(contains(f.why, "folder '/data/out' has 10.0 GB free"));
    CHECK(contains(f.why, "write the results (-o) to a folder with more space"));
    CHECK(f.disk_free_bytes == 10 * GB);
  }
  SECTION("both at once") {
    Feasibility f = judge_batch(7, 400 * GB, 100 * GB, 10 * GB, 1 * GB, "x");
    CHECK_FALSE(f.ok);
    CHECK(contains(f.why, "of memory"));
    CHECK(contains(f.why, "free"));
  }
  SECTION("unknown machine numbers skip their check") {
    CHECK(judge_batch(1, kUnknownBytes - 1, kUnknownBytes - 1, kUnknownBytes, kUnknownBytes, ".").ok);
  }
}

TEST_CASE("feasibility: the real disk check uses the output folder's free space", "[feasibility]") {
  const uint64_t free_here = disk_free_bytes(".");
  REQUIRE(free_here != kUnknownBytes);
  CHECK(disk_free_bytes("/no/such/folder/anywhere") == kUnknownBytes);
  CHECK(output_folder("results.h5") == ".");
  CHECK(output_folder("/tmp/x/results.h5") == "/tmp/x");
  // A file 4x compressed still larger than the folder's free space is refused.
  Feasibility f = judge_batch(1, free_here * 4 + 8, 0, kUnknownBytes, free_here, ".");
  CHECK_FALSE(f.ok);
}

TEST_CASE("feasibility: plantwin run refuses 10^12 replications with exit 2 before simulating", "[feasibility]") {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "plantwin-feas-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  const fs::path dir = tmpl;
  { std::ofstream(dir / "line.yaml") << kLine; }
  const std::string cmd = "cd '" + dir.string() + "' && '" + plantwin::test::plantwin_binary() +
                          "' run line.yaml -o out.h5 --backend cpu --quiet --replications 1000000000000 2>err.txt";
  const int raw = std::system(cmd.c_str());
  std::stringstream err;
  err << std::ifstream(dir / "err.txt").rdbuf();
  const bool wrote = fs::exists(dir / "out.h5");
  std::error_code ec;
  fs::remove_all(dir, ec);
  INFO(err.str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 2);
  CHECK(contains(err.str(), "plantwin run: the results of 1,000,000,000,000 lanes need about "));
  CHECK(contains(err.str(), "run fewer variants or replications"));
  CHECK_FALSE(wrote);
}
