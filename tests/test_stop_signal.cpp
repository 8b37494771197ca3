// SIGINT and SIGTERM during plantwin run: the run stops after the lanes it is running, says
// so, exits 128 + the signal and leaves no results file, or the previous one untouched; a
// second signal stops it at once, still without a partial file under the final name.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_support.h"

namespace fs = std::filesystem;
using plantwin::test::run_and_signal;
using plantwin::test::Stopped;
using plantwin::test::slurp;
using plantwin::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("stop: SIGINT ends a run cleanly without a results file", "[stop][cli]") {
  TempDir dir;
  const Stopped s = run_and_signal(dir, "INT");
  INFO(s.err);
  CHECK(s.status == 130);
  CHECK(contains(s.err, "stopping after the lanes now running"));
  CHECK(contains(s.err, "stopped by SIGINT after"));
  CHECK(contains(s.err, "no results written"));
  CHECK(dir.entries().empty());  // no results, no temporary file
}

TEST_CASE("stop: SIGTERM leaves the previous results file untouched", "[stop][cli]") {
  TempDir dir;
  { std::ofstream(dir.path / "r.h5") << "the previous results"; }
  const Stopped s = run_and_signal(dir, "TERM", "--force");
  INFO(s.err);
  // 128 + whichever of the two was handled second (pending signals go lowest number first).
  CHECK((s.status == 130 || s.status == 143));
  CHECK(contains(s.err, "stopped by SIGTERM"));
  CHECK(slurp(dir.path / "r.h5") == "the previous results");
  CHECK(dir.entries() == std::vector<std::string>{"r.h5"});
}

TEST_CASE("stop: a second signal stops at once", "[stop][cli]") {
  TempDir dir;
  // Two different signals: two of the same kind sent together may be delivered as one.
  const Stopped s = run_and_signal(dir, "INT TERM");
  INFO(s.err);
  // 128 + whichever of the two was handled second (pending signals go lowest number first).
  CHECK((s.status == 130 || s.status == 143));
  CHECK(contains(s.err, "stopped at once"));
  CHECK(dir.entries().empty());
}

TEST_CASE("stop: SIGTERM ends plantwin check without a verdict, a report or a new baseline", "[stop][cli]") {
  TempDir dir;
  // The two-station line with 400,000 replications: far longer than the test.
  std::string scene = slurp(fs::path(plantwin::test::source_dir()) / "scenes" / "two-station-line.yaml");
  const size_t at = scene.find("replications:");
  REQUIRE(at != std::string::npos);
  scene.replace(at, scene.find('\n', at) - at, "replications: 400000");
  { std::ofstream(dir.path / "long.yaml") << scene; }
  fs::create_directory(dir.path / "baselines");
  const Stopped s =
      plantwin::test::signal_plantwin(dir, "check long.yaml --baseline baselines --update --backend cpu -q", "TERM");
  INFO(s.err);
  CHECK(s.status == 143);
  CHECK(contains(s.err, "stopped by SIGTERM"));
  CHECK(contains(s.err, "no verdict, no report"));
  CHECK(fs::is_empty(dir.path / "baselines"));
}
