// The plantwin command line, run as a real process (PLANTWIN_BINARY) in a fresh temporary
// folder: exit statuses (0 ok, 2 invalid input, 1 runtime failure), what goes to stdout and
// stderr, which files appear, and that a fixed seed reproduces the KPIs bit for bit.
#include <catch2/catch.hpp>

#include "tests/cli_support.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/batch/batch_results.h"
#include "engine/io/results_reader.h"
#include "engine/version.h"

namespace fs = std::filesystem;

namespace {

using plantwin::test::shell_quote;
using plantwin::test::slurp;
using plantwin::test::TempDir;
using Result = plantwin::test::CliResult;
const auto cli = plantwin::test::run_plantwin;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string source_path(const std::string& rel) { return (fs::path(plantwin::test::source_dir()) / rel).string(); }

const std::string kGood = source_path("scenes/two-station-line.yaml");
const std::string kBroken = source_path("tests/broken/several-problems.yaml");

std::vector<std::string> run_args(const std::string& output, const std::string& seed) {
  return {"run", kGood, "-o", output, "--backend", "cpu", "--replications", "3", "--horizon", "1h", "--seed", seed,
          "--quiet"};
}

}  // namespace

TEST_CASE("validate: a good scene exits 0 and says ok", "[cli]") {
  TempDir dir;
  Result r = cli(dir, {"validate", kGood});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, kGood + ": ok"));
  CHECK(r.err.empty());
}

TEST_CASE("validate: a broken scene exits 2 with FILE:LINE:COLUMN errors on stderr", "[cli]") {
  TempDir dir;
  Result r = cli(dir, {"validate", kBroken});
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  const std::regex located("^" + std::regex_replace(kBroken, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                           R"(:[0-9]+:[0-9]+: error: .+)");
  int errors = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);)
    if (std::regex_match(line, located)) ++errors;
  CHECK(errors == 3);  // all problems of the file at once
  CHECK(contains(r.err, kBroken + ":9:3: error: key 'run': unknown key 'replicatons'"));

  SECTION("good and broken together: the good one is ok, the status is still 2") {
    Result both = cli(dir, {"validate", kGood, kBroken});
    CHECK(both.status == 2);
    CHECK(contains(both.out, kGood + ": ok"));
    CHECK(contains(both.err, kBroken + ":"));
  }
  SECTION("a missing file exits 2") {
    Result missing = cli(dir, {"validate", "no-such-scene.yaml"});
    CHECK(missing.status == 2);
    CHECK(contains(missing.err, "no-such-scene.yaml"));
  }
}

TEST_CASE("run writes results, info prints them", "[cli]") {
  TempDir dir;
  Result r = cli(dir, run_args("out.h5", "5"));
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  REQUIRE(r.status == 0);
  CHECK(fs::is_regular_file(dir.path / "out.h5"));
  CHECK(r.out.empty());  // --quiet: no table
  CHECK(r.err.empty());  // --quiet: no progress or summary
  CHECK(dir.entries() == std::vector<std::string>{"out.h5"});  // no temporary left behind

  Result info = cli(dir, {"info", "out.h5"});
  INFO("info stdout:\n" << info.out << "info stderr:\n" << info.err);
  CHECK(info.status == 0);
  CHECK(contains(info.out, "baseline"));
  CHECK(contains(info.out, "throughput"));
  CHECK(contains(info.out, "two-station-line"));

  Result bad = cli(dir, {"info", "missing.h5"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "missing.h5"));
}

TEST_CASE("run: the same seed gives identical KPIs, another seed different ones", "[cli]") {
  TempDir dir;
  REQUIRE(cli(dir, run_args("a.h5", "5")).status == 0);
  REQUIRE(cli(dir, run_args("b.h5", "5")).status == 0);
  REQUIRE(cli(dir, run_args("c.h5", "6")).status == 0);
  const plantwin::BatchResults a = plantwin::read_results((dir.path / "a.h5").string());
  const plantwin::BatchResults b = plantwin::read_results((dir.path / "b.h5").string());
  const plantwin::BatchResults c = plantwin::read_results((dir.path / "c.h5").string());
  REQUIRE(a.lanes == 3);
  CHECK(a.seed == 5);
  CHECK(a.horizon_s == 3600.0);
  CHECK(a.replications == 3);
  CHECK(a.backend == "cpu");
  // /kpi datasets, bit for bit (memcmp, so that NaN lead times compare too).
  plantwin::test::check_identical(a, b);
  CHECK(a.scene_sha256 == b.scene_sha256);
  // A different seed must change the exponential draws.
  CHECK(c.seed == 6);
  CHECK_FALSE(plantwin::test::same_bits(a.events, c.events));
}

TEST_CASE("run --backend cuda without a CUDA device exits 2 and writes nothing", "[cli]") {
  std::string why;
  if (plantwin::cuda_available(&why)) {
    WARN("a CUDA device is present; the no-device case cannot be checked here");
    return;
  }
  TempDir dir;
  std::vector<std::string> args = run_args("out.h5", "5");
  args[5] = "cuda";
  Result r = cli(dir, args);
  INFO("stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "cuda"));
  CHECK(contains(r.err, "unavailable"));
  CHECK(dir.entries().empty());
}

TEST_CASE("run with an output in a missing folder exits 2 before simulating", "[cli]") {
  TempDir dir;
  // Not --quiet: the summary line printed before simulating must not appear either.
  Result r = cli(dir, {"run", kGood, "-o", "nosuch/out.h5", "--backend", "cpu", "--replications", "3",
                            "--horizon", "1h"});
  INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "nosuch"));
  CHECK(contains(r.err, "does not exist"));
  CHECK_FALSE(contains(r.err, "replication(s)"));
  CHECK(r.out.empty());
  CHECK(dir.entries().empty());
}

TEST_CASE("run rejects bad arguments with exit status 2", "[cli]") {
  TempDir dir;
  for (const char* horizon : {"5 parsecs", "0", "nan", "1e999h", "-1h"}) {
    DYNAMIC_SECTION("--horizon " << horizon) {
      Result r = cli(dir, {"run", kGood, "-o", "out.h5", "--backend", "cpu", "--quiet",
                                std::string("--horizon=") + horizon});
      INFO("stderr:\n" << r.err);
      CHECK(r.status == 2);
      CHECK(contains(r.err, "horizon"));
      CHECK(dir.entries().empty());
    }
  }
  SECTION("a broken scene") {
    Result r = cli(dir, {"run", kBroken, "-o", "out.h5", "--backend", "cpu", "--quiet"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, kBroken + ":9:3: error:"));
    CHECK(dir.entries().empty());
  }
  SECTION("an unknown backend") {
    Result r = cli(dir, {"run", kGood, "-o", "out.h5", "--backend", "tpu", "--quiet"});
    CHECK(r.status == 2);
    CHECK(dir.entries().empty());
  }
  SECTION("a bad seed") {
    Result r = cli(dir, {"run", kGood, "-o", "out.h5", "--backend", "cpu", "--quiet", "--seed", "-3"});
    CHECK(r.status == 2);
    CHECK(dir.entries().empty());
  }
}

TEST_CASE("version prints the version", "[cli]") {
  TempDir dir;
  Result r = cli(dir, {"version"});
  CHECK(r.status == 0);
  CHECK(contains(r.out, std::string("plantwin ") + PLANTWIN_VERSION));
  CHECK(contains(r.out, "cpu"));
}

TEST_CASE("validate --strict fails on warnings, plain validate does not", "[cli]") {
  TempDir dir;
  // m9 is fed by nothing: a warning (it would never see a part), not an error.
  {
    std::ofstream(dir.path / "w.yaml") << "plantwin: 1\nname: w\nrun: {horizon: 1h, warmup: 1h}\nelements:\n"
                                          "  raw: {type: source, interarrival: {exponential: 60s}, to: m1}\n"
                                          "  m1: {type: station, process: {exponential: 50s}, to: done}\n"
                                          "  m9: {type: station, process: {exponential: 50s}, to: done}\n"
                                          "  done: {type: sink}\n";
  }
  Result plain = cli(dir, {"validate", "w.yaml"});
  INFO(plain.out << plain.err);
  CHECK(plain.status == 0);
  CHECK(contains(plain.err, "w.yaml:7:3: warning: element 'm9': no source feeds it"));
  Result strict = cli(dir, {"validate", "--strict", "w.yaml"});
  INFO(strict.out << strict.err);
  CHECK(strict.status == 2);
  CHECK(contains(strict.err, "1 warning (--strict treats warnings as errors)"));
  CHECK(cli(dir, {"validate", "--strict", kGood}).status == 0);
  // A part type no source makes is reported where it is defined.
  {
    std::ofstream(dir.path / "p.yaml") << "plantwin: 1\nname: p\nrun: {horizon: 1h, warmup: 1h}\n"
                                          "parts:\n  cap: {size: [0.1, 0.1, 0.1]}\n  lid: {size: [0.1, 0.1, 0.01]}\n"
                                          "elements:\n"
                                          "  raw: {type: source, part: cap, interarrival: {exponential: 60s}, to: m1}\n"
                                          "  m1: {type: station, process: {exponential: 50s}, to: done}\n"
                                          "  done: {type: sink}\n";
  }
  Result unused = cli(dir, {"validate", "--strict", "p.yaml"});
  INFO(unused.err);
  CHECK(unused.status == 2);
  CHECK(contains(unused.err, "p.yaml:6:3: warning: part 'lid': no source, assembly or split makes it"));
}

TEST_CASE("run never replaces an existing results file without --force", "[cli]") {
  TempDir dir;
  REQUIRE(cli(dir, run_args("r.h5", "5")).status == 0);
  const std::string first = plantwin::test::slurp(dir.path / "r.h5");
  // Another seed into the same file: refused before simulating, the file untouched.
  Result again = cli(dir, run_args("r.h5", "6"));
  INFO("stderr:\n" << again.err);
  CHECK(again.status == 2);
  CHECK(contains(again.err, "r.h5"));
  CHECK(contains(again.err, "--force"));
  CHECK(plantwin::test::slurp(dir.path / "r.h5") == first);
  CHECK(dir.entries() == std::vector<std::string>{"r.h5"});
  // With --force the new results replace it.
  std::vector<std::string> forced = run_args("r.h5", "6");
  forced.push_back("--force");
  REQUIRE(cli(dir, forced).status == 0);
  CHECK(plantwin::read_results((dir.path / "r.h5").string()).seed == 6);
  CHECK(dir.entries() == std::vector<std::string>{"r.h5"});
}

TEST_CASE("help of each verb (--help) exits 0 and lists its options", "[cli]") {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {{"--help"}, {"run", "validate", "info", "version"}},
      {{"run", "--help"},
       {"SCENE", "--output", "--backend", "--threads", "--replications", "--horizon", "--warmup", "--seed", "--force",
        "--quiet"}},
      {{"diff", "--help"}, {"--alpha", "--kpi", "--format", "Welch"}},
      {{"validate", "--help"}, {"SCENE"}},
      {{"info", "--help"}, {"RESULTS"}},
      {{"version", "--help"}, {"--help"}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.args[0] << " " << (c.args.size() > 1 ? c.args[1] : "")) {
      Result r = cli(dir, c.args);
      INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
      CHECK(r.status == 0);
      for (const auto& m : c.mentions) CHECK(contains(r.out, m));
    }
  }
}

TEST_CASE("an unknown verb or no verb exits 2", "[cli]") {
  TempDir dir;
  Result unknown = cli(dir, {"frobnicate"});
  CHECK(unknown.status == 2);
  CHECK_FALSE(unknown.err.empty());
  Result none = cli(dir, {});
  CHECK(none.status == 2);
  Result bad_option = cli(dir, {"validate", "--no-such-option", kGood});
  CHECK(bad_option.status == 2);
}

