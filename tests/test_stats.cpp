// Student t distribution against table values and closed forms; mean and 95 % interval.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "engine/stats/student_t.h"
#include "engine/stats/summary.h"

using namespace plantwin;

namespace {
const double kPi = 3.14159265358979323846;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("student_t_quantile matches table values to 1e-9", "[stats]") {
  struct Row { int dof; double t975; };
  const Row table[] = {
      {1, 12.7062047362}, {2, 4.30265272975}, {9, 2.26215716280},
      {30, 2.04227245630}, {1000, 1.96233908082}, {7, 2.364624251592785},
  };
  for (const Row& row : table) {
    INFO("dof " << row.dof);
    CHECK(std::fabs(student_t_quantile(0.975, row.dof) - row.t975) < 1e-9);
    CHECK(std::fabs(student_t_quantile(0.025, row.dof) + row.t975) < 1e-9);
  }
  CHECK(student_t_quantile(0.5, 5) == 0.0);
  CHECK(student_t_quantile(1.0, 5) == std::numeric_limits<double>::infinity());
  CHECK(student_t_quantile(0.0, 5) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("student_t_quantile matches the closed forms for 1 and 2 dof", "[stats]") {
  for (double p : {1e-9, 1e-4, 0.01, 0.2, 0.4, 0.6, 0.75, 0.9, 0.999}) {
    INFO("p " << p);
    // dof 1 (Cauchy): t = -cot(pi p); dof 2: t = (2p - 1) / sqrt(2 p (1 - p)).
    const double cauchy = -1.0 / std::tan(kPi * p);
    CHECK(std::fabs(student_t_quantile(p, 1) - cauchy) <= 1e-9 * std::fmax(1.0, std::fabs(cauchy)));
    const double two = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
    CHECK(std::fabs(student_t_quantile(p, 2) - two) <= 1e-9 * std::fmax(1.0, std::fabs(two)));
  }
  // Far tail, relative accuracy: 1 - p is exact in double for p near 1.
  const double q = 1.0 - 0.9999999;
  const double cauchy = 1.0 / std::tan(kPi * q);
  CHECK(std::fabs(student_t_quantile(0.9999999, 1) / cauchy - 1) < 1e-12);
}

TEST_CASE("student_t_cdf matches the closed forms and inverts the quantile", "[stats]") {
  for (double t : {-1e6, -50.0, -3.0, -0.5, 0.0, 0.7, 2.0, 10.0, 1e8}) {
    INFO("t " << t);
    CHECK(std::fabs(student_t_cdf(t, 1) - (0.5 + std::atan(t) / kPi)) < 1e-14);
    CHECK(std::fabs(student_t_cdf(t, 2) - (0.5 + t / (2 * std::sqrt(2 + t * t)))) < 1e-14);
  }
  CHECK(student_t_cdf(std::numeric_limits<double>::infinity(), 3) == 1.0);
  CHECK(student_t_cdf(-std::numeric_limits<double>::infinity(), 3) == 0.0);
  CHECK(std::isnan(student_t_cdf(kNaN, 3)));
  // Both sides of the switch to the asymptotic expansion (dof > 100000) included.
  for (int dof : {1, 3, 4, 17, 250, 99999, 100000, 100001, 10000000, 2000000000}) {
    for (double p : {1e-12, 1e-6, 0.025, 0.3, 0.55, 0.975, 0.999999}) {
      INFO("dof " << dof << " p " << p);
      const double back = student_t_cdf(student_t_quantile(p, dof), dof);
      CHECK(std::fabs(back - p) <= 1e-10 * std::fmin(p, 1 - p) + 1e-15);
    }
  }
}

TEST_CASE("student_t_quantile is continuous across the asymptotic switch", "[stats]") {
  // dt/d(dof) ~ -(z^3 + z) / (4 dof^2): about -2.4e-10 per dof near 1e5.
  const double below = student_t_quantile(0.975, 100000);
  const double above = student_t_quantile(0.975, 100001);
  CHECK(below > above);
  CHECK(below - above < 1e-9);
  // Large dof: z + (z^3 + z) / (4 dof), next term ~3e-12 at dof 1e6.
  const double z = 1.959963984540054;
  CHECK(std::fabs(student_t_quantile(0.975, 1000000) - (z + (z * z * z + z) / 4e6)) < 1e-11);
}

TEST_CASE("student_t rejects invalid arguments", "[stats]") {
  CHECK_THROWS_AS(student_t_quantile(0.5, 0), std::invalid_argument);
  CHECK_THROWS_AS(student_t_quantile(1.5, 3), std::invalid_argument);
  CHECK_THROWS_AS(student_t_quantile(kNaN, 3), std::invalid_argument);
  CHECK_THROWS_AS(student_t_cdf(1.0, -2), std::invalid_argument);
}

TEST_CASE("mean_ci95 on a hand-computed sample", "[stats]") {
  // mean 5, s = sqrt(32/7), half-width t_{0.975,7} * s / sqrt(8) = 2.364624251592785 * sqrt(4/7).
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};
  const MeanCI s = mean_ci95(x.data(), static_cast<int64_t>(x.size()));
  CHECK(s.n == 8);
  CHECK(s.mean == Approx(5.0).epsilon(1e-15));
  CHECK(std::fabs(s.ci95 - 1.787487918236207) < 1e-9);

  const double one = 42.5;
  const MeanCI single = mean_ci95(&one, 1);
  CHECK(single.mean == 42.5);
  CHECK(single.ci95 == 0.0);
  CHECK(single.n == 1);

  // Large values with a small spread: no cancellation.
  const std::vector<double> big = {1e9 + 1, 1e9 + 2, 1e9 + 3};
  const MeanCI b = mean_ci95(big.data(), 3);
  CHECK(b.mean == 1e9 + 2);
  CHECK(std::fabs(b.ci95 - 4.30265272975 * 1.0 / std::sqrt(3.0)) < 1e-9);
}

TEST_CASE("mean_ci95 skips NaN and honours the stride", "[stats]") {
  // {1, NaN, 3}: n = 2, mean 2, s = sqrt(2), half-width t_{0.975,1} * sqrt(2) / sqrt(2).
  const std::vector<double> x = {1, kNaN, 3};
  const MeanCI s = mean_ci95(x.data(), 3);
  CHECK(s.n == 2);
  CHECK(s.mean == 2.0);
  CHECK(std::fabs(s.ci95 - 12.7062047362) < 1e-9);

  const std::vector<double> none = {kNaN, kNaN};
  const MeanCI empty = mean_ci95(none.data(), 2);
  CHECK(empty.n == 0);
  CHECK(std::isnan(empty.mean));
  CHECK(mean_ci95(nullptr, 0).n == 0);

  // Every third value of an interleaved column: 1, 2, 3 (the 100s are not in the stride).
  const std::vector<double> interleaved = {1, 100, 100, 2, 100, 100, 3, 100, 100};
  const MeanCI strided = mean_ci95(interleaved.data(), 3, 3);
  CHECK(strided.n == 3);
  CHECK(strided.mean == 2.0);
  CHECK(std::fabs(strided.ci95 - 4.30265272975 / std::sqrt(3.0)) < 1e-9);
}

TEST_CASE("summarize_by_variant groups lanes variant-major", "[stats]") {
  const std::vector<double> lanes = {1, 2, 3, 10, 10, 10};  // 2 variants x 3 replications
  const std::vector<MeanCI> s = summarize_by_variant(lanes, 2, 3);
  REQUIRE(s.size() == 2);
  CHECK(s[0].mean == 2.0);
  CHECK(std::fabs(s[0].ci95 - 4.30265272975 / std::sqrt(3.0)) < 1e-9);
  CHECK(s[1].mean == 10.0);
  CHECK(s[1].ci95 == 0.0);
  CHECK_THROWS_AS(summarize_by_variant(lanes, 4, 2), std::invalid_argument);
}
