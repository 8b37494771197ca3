// plantwin compare: the ranking, paired differences and ~best marks on a hand-built batch,
// and the verb end to end through the real binary in all three formats.
#include <catch2/catch.hpp>

#include "tests/cli_support.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/io/compare.h"
#include "engine/io/results_reader.h"
#include "engine/io/results_writer.h"

namespace fs = std::filesystem;
using plantwin::BatchResults;
using plantwin::Comparison;
using plantwin::CompareFormat;
using plantwin::CompareOptions;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kT3 = 3.18244630528371;  // t_{0.975, 3}

// 3 variants x 4 replications. Throughput per replication:
//   baseline 10 12 11 13 (mean 11.5), a 12 14 13 15 (13.5), b 12 15 12 16 (13.75).
BatchResults hand_batch() {
  BatchResults r;
  r.scene_name = "hand";
  r.replications = 4;
  r.variant_names = {"baseline", "a", "b"};
  r.lanes = 12;
  r.throughput_per_h = {10, 12, 11, 13, 12, 14, 13, 15, 12, 15, 12, 16};
  r.wip_mean = r.throughput_per_h;
  r.produced = {10, 12, 11, 13, 12, 14, 13, 15, 12, 15, 12, 16};
  r.lead_time_mean_s = {kNaN, 5, 6, 7, 4, 4, 5, 6, 9, 9, 9, 9};
  plantwin::VariantParam cap{"b1.capacity", "parts", 1, {3, 5, 8}};
  plantwin::VariantParam at{"m1.at", "m", 3, {0, 0, 0, 1, 2, 0, 4, 5, 6}};
  r.variant_params = {cap, at};
  return r;
}

const plantwin::VariantComparison& row_of(const Comparison& c, const std::string& name) {
  for (const auto& row : c.rows)
    if (row.name == name) return row;
  throw std::runtime_error("no row " + name);
}

std::vector<std::string> order(const Comparison& c) {
  std::vector<std::string> out;
  for (const auto& row : c.rows) out.push_back(row.name);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("compare: ranking, paired differences and ~best marks by hand", "[compare]") {
  const BatchResults r = hand_batch();
  const double ci_quarter = kT3 * std::sqrt(2.75 / 3) / 2;  // s of {.25,-.75,1.25,-.75} = sqrt(2.75/3)

  SECTION("throughput (default): higher is better") {
    const Comparison c = plantwin::compare_variants(r, CompareOptions{});
    CHECK(c.kpi == "throughput_per_h");
    CHECK(c.unit == "parts/h");
    CHECK(c.higher_is_better);
    CHECK(c.baseline_name == "baseline");
    CHECK(order(c) == std::vector<std::string>{"b", "a", "baseline"});
    CHECK(c.rows[0].rank == 1);
    CHECK(c.rows[1].rank == 2);
    CHECK(c.rows[2].rank == 3);

    const auto& b = row_of(c, "b");
    CHECK(b.kpi.mean == Approx(13.75));
    CHECK(b.diff.mean == Approx(2.25));  // 2 3 1 3
    CHECK(b.diff.ci95 == Approx(ci_quarter));
    CHECK(b.mark == "best");

    const auto& a = row_of(c, "a");
    CHECK(a.kpi.mean == Approx(13.5));
    CHECK(a.diff.mean == Approx(2.0));  // 2 2 2 2
    CHECK(a.diff.ci95 == Approx(0.0).margin(1e-12));
    CHECK(a.diff_best.mean == Approx(-0.25));  // 0 -1 1 -1
    CHECK(a.diff_best.ci95 == Approx(ci_quarter));
    CHECK(a.mark == "~best");  // |-0.25| <= 1.52

    const auto& base = row_of(c, "baseline");
    CHECK(base.diff.mean == 0);
    CHECK(base.diff.ci95 == 0);
    CHECK(base.diff_best.mean == Approx(-2.25));  // -2 -3 -1 -3
    CHECK(base.mark.empty());                     // |-2.25| > 1.52
    CHECK(base.kpi.ci95 == Approx(kT3 * std::sqrt(5.0 / 3) / 2));  // s of 10 12 11 13
  }

  SECTION("wip: lower is better") {
    CompareOptions o;
    o.kpi = "wip_mean";
    const Comparison c = plantwin::compare_variants(r, o);
    CHECK_FALSE(c.higher_is_better);
    CHECK(order(c) == std::vector<std::string>{"baseline", "a", "b"});
    CHECK(row_of(c, "baseline").mark == "best");
    CHECK(row_of(c, "a").mark.empty());  // +2 every replication: CI [2, 2]
    CHECK(row_of(c, "b").mark.empty());  // 2.25 +- 1.52
  }

  SECTION("another baseline") {
    CompareOptions o;
    o.baseline = "a";
    const Comparison c = plantwin::compare_variants(r, o);
    CHECK(c.baseline == 1);
    CHECK(row_of(c, "b").diff.mean == Approx(0.25));  // 0 1 -1 1
    CHECK(row_of(c, "b").diff.ci95 == Approx(ci_quarter));
    CHECK(row_of(c, "baseline").diff.mean == Approx(-2.0));
    CHECK(row_of(c, "a").diff.mean == 0);
    CHECK(order(c) == std::vector<std::string>{"b", "a", "baseline"});  // the order does not depend on it
  }

  SECTION("lead time: NaN replications are skipped, pairs with a NaN too") {
    CompareOptions o;
    o.kpi = "lead_time_mean_s";
    const Comparison c = plantwin::compare_variants(r, o);
    CHECK(c.unit == "s");
    CHECK(order(c) == std::vector<std::string>{"a", "baseline", "b"});  // 4.75, 6, 9
    CHECK(row_of(c, "baseline").kpi.n == 3);
    CHECK(row_of(c, "baseline").kpi.mean == Approx(6.0));
    CHECK(row_of(c, "a").diff.n == 3);
    CHECK(row_of(c, "a").diff.mean == Approx(-1.0));  // -1 -1 -1
    CHECK(row_of(c, "a").mark == "best");
  }

  SECTION("produced: equal means share a rank") {
    BatchResults t = r;
    t.produced = {12, 14, 13, 15, 13, 13, 14, 14, 1, 1, 1, 1};  // baseline and a both 13.5
    CompareOptions o;
    o.kpi = "produced";
    const Comparison c = plantwin::compare_variants(t, o);
    CHECK(order(c) == std::vector<std::string>{"baseline", "a", "b"});  // ties keep variant order
    CHECK(c.rows[0].rank == 1);
    CHECK(c.rows[1].rank == 1);
    CHECK(c.rows[2].rank == 3);
    CHECK(c.rows[0].mark == "best");
    CHECK(c.rows[1].mark == "~best");  // 1 -1 1 -1: mean 0
  }

  SECTION("unknown KPI and baseline") {
    CompareOptions o;
    o.kpi = "wip";
    try {
      plantwin::compare_variants(r, o);
      FAIL("no exception");
    } catch (const plantwin::CompareError& e) {
      CHECK(contains(e.what(), "did you mean 'wip_mean'"));
      CHECK(contains(e.what(), "lead_time_mean_s"));
    }
    o.kpi = "throughput_per_h";
    o.baseline = "c";
    try {
      plantwin::compare_variants(r, o);
      FAIL("no exception");
    } catch (const plantwin::CompareError& e) {
      CHECK(contains(e.what(), "'baseline', 'a', 'b'"));
    }
  }

  SECTION("formats") {
    const Comparison c = plantwin::compare_variants(r, CompareOptions{});
    std::ostringstream table, csv, json;
    plantwin::write_comparison(table, c, CompareFormat::kTable);
    plantwin::write_comparison(csv, c, CompareFormat::kCsv);
    plantwin::write_comparison(json, c, CompareFormat::kJson);
    CHECK(contains(table.str(), "mean [parts/h]"));
    CHECK(contains(table.str(), "b1.capacity [parts]"));
    CHECK(contains(table.str(), "[1;2;0]"));
    CHECK(contains(table.str(), "~best"));
    std::istringstream lines(csv.str());
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    CHECK(header == "rank,variant,b1.capacity,m1.at.x,m1.at.y,m1.at.z,mean,ci95,n,diff_mean,diff_ci95,mark");
    CHECK(first.rfind("1,b,8,4,5,6,13.75,", 0) == 0);
    CHECK(contains(first, ",4,2.25,"));
    CHECK(contains(first, ",best"));
    CHECK(contains(json.str(), "\"m1.at\": [1, 2, 0]"));
    CHECK(contains(json.str(), "\"mark\": \"~best\""));
    CHECK(contains(json.str(), "\"mark\": null"));
  }
}

TEST_CASE("compare: one replication marks nothing and says so", "[compare]") {
  BatchResults r;
  r.replications = 1;
  r.variant_names = {"baseline", "x"};
  r.lanes = 2;
  r.throughput_per_h = {5, 7};
  r.wip_mean = {1, 2};
  r.produced = {5, 7};
  r.lead_time_mean_s = {1, 2};
  const Comparison c = plantwin::compare_variants(r, CompareOptions{});
  CHECK(order(c) == std::vector<std::string>{"x", "baseline"});
  for (const auto& row : c.rows) {
    CHECK(row.mark.empty());
    CHECK(row.kpi.ci95 == 0);
    CHECK(row.diff.ci95 == 0);
  }
  CHECK(row_of(c, "x").diff.mean == 2);
  REQUIRE_FALSE(c.notes.empty());
  CHECK(contains(c.notes[0], "one replication"));
  std::ostringstream json;
  plantwin::write_comparison(json, c, CompareFormat::kJson);
  CHECK_FALSE(contains(json.str(), "nan"));
}

namespace {

using Dir = plantwin::test::TempDir;
using Run = plantwin::test::CliResult;
const auto plantwin_cli = plantwin::test::run_plantwin;

const char* kSweepScene = R"(plantwin: 1
name: compare-sweep
run:
  horizon: 1h
  warmup: 5min
  replications: 3
  seed: 11
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: {exponential: 50s}, to: buf}
  buf:  {type: buffer, capacity: 3, to: m2}
  m2:   {type: station, process: {exponential: 55s}, to: done}
  done: {type: sink}
variants:
  sweep:
    buf.capacity: [1, 10]
    m2.process.mean: [40s, 55s]
)";

}  // namespace

TEST_CASE("compare: end to end through plantwin in three formats", "[compare]") {
  Dir dir;
  { std::ofstream(dir.path / "sweep.yaml") << kSweepScene; }
  Run run = plantwin_cli(dir, {"run", "sweep.yaml", "-o", "r.h5", "--backend", "cpu", "--quiet"});
  INFO("run stderr:\n" << run.err);
  REQUIRE(run.status == 0);

  // The reader gives the varied parameters back (name order).
  const BatchResults back = plantwin::read_results((dir.path / "r.h5").string());
  REQUIRE(back.variant_params.size() == 2);
  CHECK(back.variant_params[0].name == "buf.capacity");
  CHECK(back.variant_params[0].unit == "parts");
  CHECK(back.variant_params[0].values == std::vector<double>{3, 1, 1, 10, 10});
  CHECK(back.variant_params[1].name == "m2.process.mean");
  CHECK(back.variant_params[1].unit == "s");

  const std::vector<std::string> names = {"baseline", "buf.capacity=1,m2.process.mean=40s",
                                          "buf.capacity=10,m2.process.mean=55s"};

  Run table = plantwin_cli(dir, {"compare", "r.h5"});
  INFO("table:\n" << table.out << table.err);
  CHECK(table.status == 0);
  CHECK(contains(table.out, "mean [parts/h]"));
  CHECK(contains(table.out, "buf.capacity [parts]"));
  CHECK(contains(table.out, "best"));
  for (const auto& n : names) CHECK(contains(table.out, n));

  Run csv = plantwin_cli(dir, {"compare", "r.h5", "--format", "csv", "--kpi", "wip_mean"});
  INFO("csv:\n" << csv.out << csv.err);
  CHECK(csv.status == 0);
  CHECK(csv.out.rfind("rank,variant,buf.capacity,m2.process.mean,mean,ci95,n,diff_mean,diff_ci95,mark\n", 0) == 0);
  CHECK(count(csv.out, "\n") == 6);
  CHECK(contains(csv.out, "\"buf.capacity=1,m2.process.mean=40s\",1,40,"));

  Run json = plantwin_cli(dir, {"compare", "r.h5", "--format", "json", "--kpi", "lead_time_mean_s", "--baseline",
                                "buf.capacity=10,m2.process.mean=55s"});
  INFO("json:\n" << json.out << json.err);
  CHECK(json.status == 0);
  for (const char* key : {"\"kpi\": \"lead_time_mean_s\"", "\"unit\": \"s\"",
                          "\"baseline\": \"buf.capacity=10,m2.process.mean=55s\"", "\"variants\":", "\"params\":",
                          "\"diff_mean\":", "\"diff_ci95\":", "\"mark\":"})
    CHECK(contains(json.out, key));
  CHECK(count(json.out, "\"rank\":") == 5);
  CHECK(count(json.out, "{") == count(json.out, "}"));
  CHECK(count(json.out, "[") == count(json.out, "]"));
  CHECK(json.out.front() == '{');

  Run bad_kpi = plantwin_cli(dir, {"compare", "r.h5", "--kpi", "wip"});
  CHECK(bad_kpi.status == 2);
  CHECK(contains(bad_kpi.err, "wip_mean"));
  Run bad_base = plantwin_cli(dir, {"compare", "r.h5", "--baseline", "nope"});
  CHECK(bad_base.status == 2);
  CHECK(contains(bad_base.err, "'baseline'"));
  Run bad_format = plantwin_cli(dir, {"compare", "r.h5", "--format", "xml"});
  CHECK(bad_format.status == 2);
  Run missing = plantwin_cli(dir, {"compare", "no-such.h5"});
  CHECK(missing.status == 2);
}
