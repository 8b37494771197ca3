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
using plantwin::test::shell_quote;
using plantwin::test::slurp;
using plantwin::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Stopped {
  int status = -1;
  std::string err;
};

// Starts a run far longer than the test (400,000 replications of the two-station line, 20
// chunks), sends `signals` (e.g. "INT" or "TERM TERM") after `delay` seconds, and returns the
// exit status and stderr. The signals go out back to back.
Stopped run_and_signal(const TempDir& dir, const std::string& signals, const std::string& extra = "") {
  const std::string scene = (fs::path(plantwin::test::source_dir()) / "scenes" / "two-station-line.yaml").string();
  const std::string script =
      "cd " + shell_quote(dir.path.string()) + " && { " + shell_quote(plantwin::test::plantwin_binary()) + " run " +
      shell_quote(scene) + " --replications 400000 --backend cpu -q -o r.h5 " + extra +
      " 2> err.txt & } ; pid=$!; sleep 1.5; for s in " + signals + "; do kill -$s $pid; done; wait $pid; " +
      "echo $? > status.txt";
  const std::string cmd = "bash -c " + shell_quote(script);
  REQUIRE(std::system(cmd.c_str()) == 0);
  Stopped s;
  s.status = std::stoi(slurp(dir.path / "status.txt"));
  s.err = slurp(dir.path / "err.txt");
  fs::remove(dir.path / "status.txt");
  fs::remove(dir.path / "err.txt");
  return s;
}

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
