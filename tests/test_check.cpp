// plantwin check: baseline files (round trip, malformed input), the verdicts against a
// baseline on hand-built batches (Welch's test, tolerance, a single replication, new and
// missing variants), the JUnit report, and the verb end to end with its exit statuses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/io/baseline_file.h"
#include "engine/io/scene_check.h"
#include "tests/cli_support.h"

namespace fs = std::filesystem;
using plantwin::Baseline;
using plantwin::BatchResults;
using plantwin::CheckStatus;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

BatchResults batch(const std::vector<double>& tp, const std::vector<std::string>& names) {
  return plantwin::test::kpi_batch(tp, names);
}

const plantwin::CheckRow& row(const plantwin::SceneCheck& c, const std::string& variant, const std::string& kpi) {
  for (const auto& r : c.rows)
    if (r.variant == variant && r.kpi == kpi) return r;
  throw std::runtime_error("no row " + variant + " " + kpi);
}

}  // namespace

TEST_CASE("check: a baseline file reads back to the same doubles", "[check]") {
  plantwin::test::TempDir dir;
  BatchResults r = batch({10.1, 12.7, 11.3, 13.9, 20, 21, 19, 20}, {"baseline", "b1.capacity=3 & <more>"});
  r.throughput_per_h[0] = 1.0 / 3.0;
  const Baseline b = plantwin::baseline_of(r);
  REQUIRE(b.rows.size() == 8);  // 2 variants x 4 KPIs
  const std::string path = (dir.path / "x.baseline").string();
  plantwin::write_baseline(b, path);
  CHECK(dir.entries() == std::vector<std::string>{"x.baseline"});  // no temporary left behind
  const Baseline back = plantwin::read_baseline(path);
  CHECK(back.scene == "hand");
  CHECK(back.replications == 4);
  CHECK(back.seed == 7);
  CHECK(back.horizon_s == 3600);
  CHECK(back.warmup_s == 60);
  REQUIRE(back.rows.size() == b.rows.size());
  for (size_t i = 0; i < b.rows.size(); ++i) {
    INFO(b.rows[i].variant << " " << b.rows[i].kpi);
    CHECK(back.rows[i].variant == b.rows[i].variant);
    CHECK(back.rows[i].kpi == b.rows[i].kpi);
    CHECK(back.rows[i].stats.n == b.rows[i].stats.n);
    const bool both_nan = std::isnan(back.rows[i].stats.mean) && std::isnan(b.rows[i].stats.mean);
    CHECK((both_nan || back.rows[i].stats.mean == b.rows[i].stats.mean));
    CHECK((both_nan || back.rows[i].stats.sd == b.rows[i].stats.sd));
  }
  // The text is one line per fact: a diff of two baselines shows only what changed.
  const std::string text = plantwin::test::slurp(path);
  CHECK(count(text, "\nkpi\t") == 8);
  CHECK(plantwin::baseline_path("base", "scenes/two-station-line.yaml") ==
        (fs::path("base") / "two-station-line.baseline").string());
}

TEST_CASE("check: malformed baseline files are refused with file and line", "[check]") {
  plantwin::test::TempDir dir;
  auto write = [&](const std::string& text) {
    const std::string p = (dir.path / "b.baseline").string();
    std::ofstream(p) << text;
    return p;
  };
  struct Case { std::string text, message; };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"something else\n", ":1: not a plantwin baseline file"},
      {"plantwin-baseline\t2\n", "version 2 is not supported"},
      {"plantwin-baseline\t1\nkpi\tbaseline\tthroughput_per_h\t1.5\n", ":2: a kpi line has 6"},
      {"plantwin-baseline\t1\n# c\nkpi\tbaseline\tspeed\t1\t2\t3\n", ":3: unknown KPI 'speed'"},
      {"plantwin-baseline\t1\nkpi\tbaseline\tproduced\tx\t2\t3\n", "cannot read the numbers"},
      {"plantwin-baseline\t1\nrun\treplications=-1\n", "cannot read run setting"},
      {"plantwin-baseline\t1\nwhat\n", "unexpected line"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    try {
      plantwin::read_baseline(write(c.text));
      FAIL("accepted");
    } catch (const plantwin::BaselineError& e) {
      CHECK(contains(e.what(), "b.baseline"));
      CHECK(contains(e.what(), c.message));
    }
  }
  CHECK_THROWS_WITH(plantwin::read_baseline((dir.path / "none.baseline").string()),
                    Catch::Contains("no such baseline file"));
  CHECK_THROWS_WITH(plantwin::read_baseline(dir.path.string()), Catch::Contains("is a directory"));
}

TEST_CASE("check: verdicts against a baseline", "[check]") {
  const BatchResults before = batch({10, 12, 11, 13, 20, 21, 19, 20}, {"baseline", "fast"});
  const Baseline base = plantwin::baseline_of(before);
  plantwin::CheckOptions opt;

  // The same batch holds everywhere (p = 1), and the lead times without a value hold.
  const auto same = plantwin::check_against("s.yaml", before, base, opt);
  CHECK(same.failures == 0);
  CHECK(row(same, "fast", "throughput_per_h").test.p == 1.0);
  CHECK(row(same, "fast", "lead_time_mean_s").status == CheckStatus::kHeld);

  // fast: 20 21 19 20 -> 24 25 23 24, the same spread 4 parts/h up: Welch p ~ 1e-4.
  const BatchResults up = batch({10.5, 12, 11, 13, 24, 25, 23, 24}, {"baseline", "fast"});
  const auto moved = plantwin::check_against("s.yaml", up, base, opt);
  CHECK(row(moved, "baseline", "throughput_per_h").status == CheckStatus::kHeld);
  const auto& f = row(moved, "fast", "throughput_per_h");
  CHECK(f.status == CheckStatus::kMoved);
  CHECK(f.test.p < 0.001);
  CHECK(row(moved, "fast", "wip_mean").status == CheckStatus::kMoved);  // lower is better: worse
  CHECK(moved.failures == 3);  // throughput, wip, produced of 'fast'

  // A tolerance of 25 % accepts the 20 % move.
  opt.tolerance = 0.25;
  CHECK(plantwin::check_against("s.yaml", up, base, opt).failures == 0);
  opt.tolerance = 0;

  // One replication: no noise to test against, any change beyond the tolerance moved.
  const BatchResults one = batch({10, 20}, {"baseline", "fast"});
  const Baseline base1 = plantwin::baseline_of(one);
  CHECK(plantwin::check_against("s.yaml", one, base1, opt).failures == 0);
  const auto tiny = plantwin::check_against("s.yaml", batch({10, 20.01}, {"baseline", "fast"}), base1, opt);
  CHECK(row(tiny, "fast", "throughput_per_h").status == CheckStatus::kMoved);
  CHECK_FALSE(row(tiny, "fast", "throughput_per_h").test.tested);
  opt.tolerance = 0.01;
  CHECK(plantwin::check_against("s.yaml", batch({10, 20.01}, {"baseline", "fast"}), base1, opt).failures == 0);
  opt.tolerance = 0;

  // A variant added to the scene is new, one removed is missing: both fail.
  const auto renamed = plantwin::check_against("s.yaml", batch({10, 12, 11, 13, 20, 21, 19, 20}, {"baseline", "slow"}),
                                               base, opt);
  CHECK(row(renamed, "slow", "produced").status == CheckStatus::kNew);
  CHECK(row(renamed, "fast", "produced").status == CheckStatus::kMissing);
  CHECK(renamed.failures == 8);

  // Different run settings are noted.
  BatchResults longer = before;
  longer.horizon_s = 7200;
  CHECK(plantwin::check_against("s.yaml", longer, base, opt).notes.size() == 1);
}

TEST_CASE("check: the JUnit report has a testcase per scene, variant and KPI", "[check]") {
  const BatchResults before = batch({10, 12, 11, 13, 20, 21, 19, 20}, {"baseline", "a<b & \"c\""});
  const Baseline base = plantwin::baseline_of(before);
  const BatchResults after = batch({10, 12, 11, 13, 30, 31, 29, 30}, {"baseline", "a<b & \"c\""});
  plantwin::CheckOptions opt;
  std::vector<plantwin::SceneCheck> checks = {plantwin::check_against("one.yaml", before, base, opt),
                                              plantwin::check_against("two.yaml", after, base, opt)};
  std::ostringstream os;
  plantwin::write_junit(os, checks, opt, 1.5);
  const std::string x = os.str();
  INFO(x);
  CHECK(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
  CHECK(count(x, "<testsuite ") == 2);
  CHECK(count(x, "<testcase ") == 16);
  CHECK(count(x, "<failure ") == 3);
  CHECK(contains(x, "tests=\"16\" failures=\"3\""));
  CHECK(contains(x, "a&lt;b &amp; &quot;c&quot;: throughput_per_h"));
  CHECK_FALSE(contains(x, "a<b"));
  CHECK(count(x, "<testsuite ") == count(x, "</testsuite>"));
  std::ostringstream table;
  plantwin::write_check_table(table, checks, opt, false);
  CHECK(contains(table.str(), "moved (better)"));
  CHECK(contains(table.str(), "FAILED: 3 KPI(s)"));
}

TEST_CASE("check: end to end, --update, exit 0 when held and 3 when a KPI moved", "[check][cli]") {
  plantwin::test::TempDir dir;
  const std::string scene = R"(plantwin: 1
name: check-line
run:
  horizon: 2h
  warmup: 10min
  replications: 6
  seed: 3
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: {exponential: 50s}, to: buf}
  buf:  {type: buffer, capacity: 3, to: m2}
  m2:   {type: station, process: {exponential: MEAN}, to: done}
  done: {type: sink}
variants:
  sweep:
    buf.capacity: [1, 10]
)";
  auto write_scene = [&](const std::string& mean) {
    std::string s = scene;
    s.replace(s.find("MEAN"), 4, mean);
    std::ofstream(dir.path / "line.yaml") << s;
  };
  using plantwin::test::run_plantwin;
  write_scene("55s");
  // No baseline yet: invalid input, nothing runs.
  const auto none = run_plantwin(dir, {"check", "line.yaml", "--baseline", "base", "--backend", "cpu", "-q"});
  CHECK(none.status == 2);
  CHECK(contains(none.err, "--update"));
  const auto update = run_plantwin(dir, {"check", "line.yaml", "--baseline", "base", "--update", "--backend", "cpu", "-q"});
  INFO(update.out << update.err);
  REQUIRE(update.status == 0);
  REQUIRE(fs::exists(dir.path / "base" / "line.baseline"));
  CHECK(contains(update.out, "12 KPIs of 3 variant(s)"));
  // The same scene holds (the same seed: the same numbers).
  const auto held = run_plantwin(dir, {"check", "line.yaml", "--baseline", "base", "--backend", "cpu", "-q",
                                       "--junit", "report.xml"});
  INFO(held.out << held.err);
  CHECK(held.status == 0);
  CHECK(contains(held.out, "passed: 0 KPI(s)"));
  const std::string report = plantwin::test::slurp(dir.path / "report.xml");
  CHECK(count(report, "<testcase ") == 12);
  CHECK(count(report, "<failure ") == 0);
  // m2 twice as fast: throughput and WIP move far beyond the noise of 6 replications.
  write_scene("27s");
  const auto moved = run_plantwin(dir, {"check", "line.yaml", "--baseline", "base", "--backend", "cpu", "-q",
                                        "--junit", "report.xml"});
  INFO(moved.out << moved.err);
  CHECK(moved.status == 3);
  CHECK(contains(moved.out, "throughput_per_h"));
  CHECK(contains(moved.out, "moved (better)"));
  CHECK(count(plantwin::test::slurp(dir.path / "report.xml"), "<failure ") >= 3);
  // A broken scene is invalid input.
  std::ofstream(dir.path / "broken.yaml") << "plantwin: 1\nname: x\nelements: {a: {type: nonsense}}\n";
  const auto broken = run_plantwin(dir, {"check", "broken.yaml", "--baseline", "base", "-q"});
  CHECK(broken.status == 2);
  CHECK(contains(broken.err, "broken.yaml"));
  const auto badalpha = run_plantwin(dir, {"check", "line.yaml", "--baseline", "base", "--alpha", "2"});
  CHECK(badalpha.status == 2);
}

TEST_CASE("check: examples/ci's scenes hold against their committed baselines", "[check][cli][examples]") {
  plantwin::test::TempDir dir;
  const fs::path ci = fs::path(plantwin::test::source_dir()) / "examples" / "ci";
  std::vector<std::string> args = {"check"};
  for (const auto& e : fs::directory_iterator(ci / "scenes")) args.push_back(e.path().string());
  std::sort(args.begin() + 1, args.end());
  REQUIRE(args.size() == 3);
  for (const std::string& a : {std::string("--baseline"), (ci / "baselines").string(), std::string("-q")})
    args.push_back(a);
  const auto r = plantwin::test::run_plantwin(dir, args);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "passed: 0 KPI(s)"));
}
