// Welch's t test against Welch's worked examples (the values from scipy 1.10.1,
// scipy.stats.ttest_ind(b, a, equal_var=False), and the t CDF at fractional degrees of
// freedom from scipy.stats.t.cdf), its degenerate cases, and `plantwin diff` on hand-built
// batches and end to end.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/io/results_diff.h"
#include "engine/stats/student_t.h"
#include "engine/stats/welch.h"
#include "tests/cli_support.h"

using plantwin::SampleSummary;
using plantwin::welch_test;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

SampleSummary summary_of(const std::vector<double>& x) { return plantwin::summarize_sample(x.data(), x.size()); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("welch: the t CDF at fractional degrees of freedom matches scipy", "[stats][welch]") {
  struct Row { double t, dof, cdf; };
  const Row rows[] = {{1.5, 2.5, 0.876081773456852},    {-0.7, 7.3, 0.25280857009312924},
                      {3.2, 13.85, 0.996751866128476},  {2.0, 1.0, 0.8524163823495667},
                      {0.3, 100.5, 0.6176016068039718}, {-4.0, 3.7, 0.009394455009390571}};
  for (const Row& r : rows) {
    INFO("t " << r.t << " dof " << r.dof);
    CHECK(std::fabs(plantwin::student_t_cdf(r.t, r.dof) - r.cdf) < 1e-12);
  }
  CHECK_THROWS_AS(plantwin::student_t_cdf(1.0, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(plantwin::student_t_cdf(1.0, kNaN), std::invalid_argument);
}

TEST_CASE("welch: Welch's two worked examples", "[stats][welch]") {
  // Example 1: equal sizes, unequal variances; t 2.46, dof 25.0, p 0.021.
  const std::vector<double> a1 = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
  const std::vector<double> b1 = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
  const SampleSummary sa = summary_of(a1), sb = summary_of(b1);
  CHECK(sa.mean == Approx(20.819999999999997).epsilon(1e-14));
  CHECK(sa.sd == Approx(2.8048936827317665).epsilon(1e-13));
  CHECK(sb.sd == Approx(1.9526050974702152).epsilon(1e-13));
  const plantwin::WelchResult w1 = welch_test(sa, sb);
  CHECK(w1.tested);
  CHECK(w1.t == Approx(2.455356398286006).epsilon(1e-12));
  CHECK(w1.dof == Approx(24.988529290231416).epsilon(1e-12));
  CHECK(w1.p == Approx(0.021378001462866985).epsilon(1e-9));
  // Example 2: unequal sizes and variances; t 1.57, dof 9.9, p 0.149.
  const std::vector<double> a2 = {17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8};
  const std::vector<double> b2 = {21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8,
                                  20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8};
  const plantwin::WelchResult w2 = welch_test(summary_of(a2), summary_of(b2));
  CHECK(w2.t == Approx(1.5654335235985037).epsilon(1e-12));
  CHECK(w2.dof == Approx(9.904741248650831).epsilon(1e-12));
  CHECK(w2.p == Approx(0.14884169660532834).epsilon(1e-9));
  // Swapping the samples flips t and keeps p.
  const plantwin::WelchResult back = welch_test(summary_of(b2), summary_of(a2));
  CHECK(back.t == Approx(-w2.t).epsilon(1e-15));
  CHECK(back.p == Approx(w2.p).epsilon(1e-15));
}

TEST_CASE("welch: degenerate samples", "[stats][welch]") {
  // Fewer than 2 values on a side: nothing to test.
  const plantwin::WelchResult one = welch_test({5, 0, 1}, {6, 1, 10});
  CHECK_FALSE(one.tested);
  CHECK(std::isnan(one.p));
  CHECK(one.diff == 1);
  // No noise: equal means hold, any difference is real.
  CHECK(welch_test({5, 0, 4}, {5, 0, 4}).p == 1.0);
  const plantwin::WelchResult det = welch_test({5, 0, 4}, {5.5, 0, 3});
  CHECK(det.p == 0.0);
  CHECK(det.dof == 2.0);
  CHECK(std::isinf(det.t));
  // One noiseless side: the dof are the other side's n - 1.
  const plantwin::WelchResult half = welch_test({5, 0, 10}, {6, 2, 4});
  CHECK(half.dof == Approx(3.0).epsilon(1e-14));
  CHECK(half.t == Approx(1.0).epsilon(1e-14));
  // NaN values are skipped by the summary; a NaN mean is untested.
  const std::vector<double> x = {1, kNaN, 3, std::numeric_limits<double>::infinity()};
  const SampleSummary s = summary_of(x);
  CHECK(s.n == 2);
  CHECK(s.mean == 2);
  CHECK(s.sd == Approx(std::sqrt(2.0)).epsilon(1e-15));
  CHECK_FALSE(welch_test({kNaN, kNaN, 0}, {1, 1, 5}).tested);
}

namespace {

plantwin::BatchResults batch(const std::vector<double>& tp, const std::vector<std::string>& names, uint64_t seed) {
  return plantwin::test::kpi_batch(tp, names, seed);
}

}  // namespace

TEST_CASE("diff: variants matched by name, Welch per KPI, notes", "[diff]") {
  const auto a = batch({10, 12, 11, 13, 20, 21, 19, 20}, {"baseline", "fast"}, 1);
  const auto b = batch({30, 31, 29, 30, 10.5, 12, 11, 13, 5, 5, 5, 5}, {"fast", "baseline", "new"}, 2);
  plantwin::DiffOptions opt;
  opt.kpis = {"throughput_per_h", "lead_time_mean_s"};
  const plantwin::ResultsDiff d = plantwin::diff_results(a, b, opt);
  REQUIRE(d.rows.size() == 4);  // baseline, fast x 2 KPIs, in A's order
  CHECK(d.rows[0].variant == "baseline");
  CHECK(d.rows[0].kpi == "throughput_per_h");
  // baseline: 10 12 11 13 vs 10.5 12 11 13: far from significant.
  CHECK(d.rows[0].test.diff == Approx(0.125));
  CHECK_FALSE(d.rows[0].significant);
  CHECK(d.rows[0].test.p > 0.5);
  // fast: 20 21 19 20 vs 30 31 29 30: the same spread, 10 apart.
  CHECK(d.rows[2].variant == "fast");
  CHECK(d.rows[2].significant);
  CHECK(d.rows[2].test.diff == Approx(10.0));
  // No lead times at all: untested, never significant.
  CHECK_FALSE(d.rows[1].test.tested);
  CHECK_FALSE(d.rows[1].significant);
  CHECK(d.significant == 1);
  CHECK(d.only_b == std::vector<std::string>{"new"});
  CHECK(d.only_a.empty());

  std::ostringstream table;
  plantwin::write_diff(table, d, "a.h5", "b.h5", plantwin::DiffFormat::kTable);
  INFO(table.str());
  CHECK(contains(table.str(), "differs"));
  CHECK(contains(table.str(), "untested"));
  CHECK(contains(table.str(), "only in B: variant 'new'"));
  CHECK(contains(table.str(), "1 of 4 differ"));
  std::ostringstream csv;
  plantwin::write_diff(csv, d, "a.h5", "b.h5", plantwin::DiffFormat::kCsv);
  CHECK(csv.str().rfind("variant,kpi,unit,n_a,mean_a,sd_a,n_b,mean_b,sd_b,diff,relative,t,dof,p,significant\n", 0) ==
        0);

  // The same seed is noted; a bad KPI or alpha is refused.
  const auto same = plantwin::diff_results(a, batch({10, 12, 11, 13, 20, 21, 19, 20}, {"baseline", "fast"}, 1), {});
  bool noted = false;
  for (const auto& n : same.notes) noted = noted || contains(n, "seed 1");
  CHECK(noted);
  CHECK(same.significant == 0);
  opt.kpis = {"throughput"};
  CHECK_THROWS_AS(plantwin::diff_results(a, b, opt), plantwin::DiffError);
  opt.kpis = {};
  opt.alpha = 1.5;
  CHECK_THROWS_AS(plantwin::diff_results(a, b, opt), plantwin::DiffError);
}

TEST_CASE("diff: end to end through plantwin", "[diff]") {
  plantwin::test::TempDir dir;
  {
    std::ofstream(dir.path / "line.yaml") << R"(plantwin: 1
name: diff-line
run:
  horizon: 2h
  warmup: 10min
  replications: 8
  seed: 3
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: {exponential: 50s}, to: buf}
  buf:  {type: buffer, capacity: 3, to: m2}
  m2:   {type: station, process: {exponential: 55s}, to: done}
  done: {type: sink}
)";
  }
  using plantwin::test::run_plantwin;
  REQUIRE(run_plantwin(dir, {"run", "line.yaml", "-o", "a.h5", "--backend", "cpu", "-q"}).status == 0);
  REQUIRE(run_plantwin(dir, {"run", "line.yaml", "-o", "b.h5", "--backend", "cpu", "-q", "--seed", "4"}).status == 0);
  // m2 twice as fast: the line's throughput rises far beyond the noise of 8 replications.
  REQUIRE(run_plantwin(dir, {"run", "line.yaml", "-o", "c.h5", "--backend", "cpu", "-q", "--seed", "4", "--set",
                             "m2.process.mean=27s"})
              .status == 0);
  const auto same = run_plantwin(dir, {"diff", "a.h5", "b.h5", "--kpi", "throughput_per_h"});
  INFO(same.out << same.err);
  CHECK(same.status == 0);
  CHECK(contains(same.out, "0 of 1 differ"));
  const auto faster = run_plantwin(dir, {"diff", "a.h5", "c.h5", "--kpi", "throughput_per_h", "--alpha", "0.01"});
  INFO(faster.out << faster.err);
  CHECK(faster.status == 0);
  CHECK(contains(faster.out, "differs"));
  CHECK(contains(faster.out, "1 of 1 differ"));
  const auto bad = run_plantwin(dir, {"diff", "a.h5", "missing.h5"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "missing.h5"));
  const auto badkpi = run_plantwin(dir, {"diff", "a.h5", "b.h5", "--kpi", "speed"});
  CHECK(badkpi.status == 2);
  CHECK(contains(badkpi.err, "unknown KPI 'speed'"));
}
