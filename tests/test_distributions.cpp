// Sampler moments against the closed forms of dist_compile, per family and parameter set.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "engine/model/dist_compile.h"
#include "kernels/rng/distribution.h"

using namespace plantwin;

namespace {

constexpr int kSamples = 400000;
constexpr uint64_t kSeed = 0x5eed0000c0deull;

struct Run {
  std::vector<double> x;
  uint32_t draws = 0;
};

// kSamples samples of spec, each from a fresh stream (the production contract).
Run draw_samples(const DistSpec& spec, uint32_t element) {
  std::vector<double> table;
  const Dist d = compile_dist(spec, table);
  Run r;
  r.x.reserve(kSamples);
  for (int i = 0; i < kSamples; ++i) {
    UniformStream u = make_stream(kSeed, 0, element, 0, &r.draws);
    r.x.push_back(sample(d, table.data(), u));
  }
  return r;
}

// Sample mean within 4 standard errors of dist_mean; sample variance within 5 standard errors
// (estimated from the sample's 4th central moment) of dist_variance; no negative values.
void check_moments(const DistSpec& spec, uint32_t element) {
  const Run r = draw_samples(spec, element);
  const double n = static_cast<double>(r.x.size());
  double sum = 0, lo = r.x[0];
  for (double v : r.x) {
    sum += v;
    lo = std::min(lo, v);
  }
  const double mean = sum / n;
  double m2 = 0, m4 = 0;
  for (double v : r.x) {
    const double c = (v - mean) * (v - mean);
    m2 += c;
    m4 += c * c;
  }
  m2 /= n;
  m4 /= n;
  const double var = m2 * n / (n - 1);
  const double true_mean = dist_mean(spec), true_var = dist_variance(spec);
  INFO(dist_family_name(spec.family) << " element " << element << ": mean " << mean << " vs "
                                     << true_mean << ", var " << var << " vs " << true_var);
  CHECK(lo >= 0.0);
  CHECK(std::fabs(mean - true_mean) <= 4.0 * std::sqrt(true_var / n) + 1e-12 * true_mean);
  const double var_se = std::sqrt(std::max(m4 - m2 * m2, 0.0) / n);
  CHECK(std::fabs(var - true_var) <= 5.0 * var_se + 1e-12 * true_var);
}

DistSpec with_mean_cv(DistFamily f, double mean, double cv) {
  DistSpec s;
  s.family = f;
  s.mean = mean;
  s.cv = cv;
  s.has_cv = true;
  return s;
}

DistSpec with_mean_sd(DistFamily f, double mean, double sd) {
  DistSpec s;
  s.family = f;
  s.mean = mean;
  s.sd = sd;
  return s;
}

}  // namespace

TEST_CASE("family names", "[dist]") {
  CHECK(std::string(dist_family_name(DistFamily::Constant)) == "constant");
  CHECK(std::string(dist_family_name(DistFamily::Triangular)) == "triangular");
  CHECK(std::string(dist_family_name(DistFamily::Lognormal)) == "lognormal");
  CHECK(std::string(dist_family_name(DistFamily::Empirical)) == "empirical");
}

TEST_CASE("constant returns its value and consumes no draw", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Constant;
  s.value = 3.5;
  const Run r = draw_samples(s, 1);
  CHECK(r.draws == 0);
  for (double v : r.x) REQUIRE(v == 3.5);
  CHECK(dist_mean(s) == 3.5);
  CHECK(dist_variance(s) == 0.0);
}

TEST_CASE("exponential", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Exponential;
  s.mean = 2.0;
  check_moments(s, 10);
  s.mean = 120.0;
  check_moments(s, 11);
}

TEST_CASE("uniform", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Uniform;
  s.min = 1.0;
  s.max = 3.0;
  check_moments(s, 20);
  s.min = 0.0;
  s.max = 10.0;
  check_moments(s, 21);
}

TEST_CASE("triangular, including a mode at either end", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Triangular;
  s.min = 0.0, s.mode = 1.0, s.max = 4.0;
  check_moments(s, 30);
  s.min = 2.0, s.mode = 2.0, s.max = 5.0;
  check_moments(s, 31);
  s.min = 1.0, s.mode = 3.0, s.max = 3.0;
  check_moments(s, 32);
}

TEST_CASE("normal truncated at 0", "[dist]") {
  check_moments(with_mean_sd(DistFamily::Normal, 10.0, 2.0), 40);  // truncation negligible
  check_moments(with_mean_sd(DistFamily::Normal, 1.0, 1.0), 41);   // 16% of the mass cut
  check_moments(with_mean_sd(DistFamily::Normal, 0.0, 3.0), 42);   // half-normal
  // The closed form really is the truncated one: N(1,1) cut at 0 has mean 1 + phi(1)/Phi(1).
  const double truncated = 1.0 + 0.24197072451914337 / 0.8413447460685429;
  CHECK(dist_mean(with_mean_sd(DistFamily::Normal, 1.0, 1.0)) == Approx(truncated).epsilon(1e-12));
  CHECK(dist_mean(with_mean_sd(DistFamily::Normal, 0.0, 3.0)) ==
        Approx(3.0 * std::sqrt(2.0 / M_PI)).epsilon(1e-12));
}

TEST_CASE("lognormal from cv and from sd", "[dist]") {
  check_moments(with_mean_cv(DistFamily::Lognormal, 5.0, 0.5), 50);
  check_moments(with_mean_sd(DistFamily::Lognormal, 2.0, 2.0), 51);
}

TEST_CASE("gamma: shape > 1, shape == 1, shape < 1 (cv > 1)", "[dist]") {
  check_moments(with_mean_cv(DistFamily::Gamma, 4.0, 0.5), 60);   // shape 4
  check_moments(with_mean_sd(DistFamily::Gamma, 1.0, 1.0), 61);   // shape 1
  check_moments(with_mean_cv(DistFamily::Gamma, 3.0, 2.0), 62);   // shape 0.25, boosted
}

TEST_CASE("erlang: product path (k <= 16) and gamma path (k > 16)", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Erlang;
  s.mean = 6.0;
  for (int k : {1, 3, 16, 17, 40}) {
    s.k = k;
    check_moments(s, 70 + static_cast<uint32_t>(k));
  }
}

TEST_CASE("weibull", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Weibull;
  s.shape = 0.7, s.scale = 2.0;
  check_moments(s, 80);
  s.shape = 2.0, s.scale = 5.0;
  check_moments(s, 81);
  s.shape = 1.0, s.scale = 3.0;
  check_moments(s, 82);
}

TEST_CASE("empirical: frequencies follow the weights; zero weights never drawn", "[dist]") {
  DistSpec s;
  s.family = DistFamily::Empirical;
  s.values = {1.0, 2.0, 5.0, 0.0, 10.0};
  s.weights = {1.0, 2.0, 3.0, 0.0, 4.0};
  check_moments(s, 90);

  const Run r = draw_samples(s, 91);
  std::map<double, int> count;
  for (double v : r.x) ++count[v];
  const double n = static_cast<double>(r.x.size());
  CHECK(count.count(0.0) == 0);
  for (size_t i = 0; i < s.values.size(); ++i) {
    const double p = s.weights[i] / 10.0;
    if (p == 0) continue;
    INFO("value " << s.values[i]);
    CHECK(std::fabs(count[s.values[i]] / n - p) <= 4.0 * std::sqrt(p * (1 - p) / n));
  }
}

TEST_CASE("empirical tables share one array", "[dist]") {
  DistSpec a, b;
  a.family = b.family = DistFamily::Empirical;
  a.values = {7.0};
  a.weights = {1.0};
  b.values = {1.0, 2.0, 3.0};
  b.weights = {0.0, 0.0, 5.0};
  std::vector<double> table;
  const Dist da = compile_dist(a, table);
  const Dist db = compile_dist(b, table);
  CHECK(da.table_offset == 0);
  CHECK(da.table_count == 1);
  CHECK(db.table_offset == 2);
  CHECK(db.table_count == 3);
  REQUIRE(table.size() == 8);
  CHECK(table[db.table_offset + 2 * (db.table_count - 1)] == 1.0);  // exactly 1 in the last row
  uint32_t draw = 0;
  for (int i = 0; i < 1000; ++i) {
    UniformStream u = make_stream(kSeed, 0, 0, 0, &draw);
    REQUIRE(sample(da, table.data(), u) == 7.0);
    UniformStream w = make_stream(kSeed, 0, 0, 0, &draw);
    REQUIRE(sample(db, table.data(), w) == 3.0);
  }
}

TEST_CASE("degenerate spreads compile to constants", "[dist]") {
  std::vector<double> table;
  CHECK(compile_dist(with_mean_sd(DistFamily::Normal, 2.0, 0.0), table).kind == DistKind::Constant);
  CHECK(compile_dist(with_mean_cv(DistFamily::Gamma, 2.0, 0.0), table).kind == DistKind::Constant);
  CHECK(compile_dist(with_mean_cv(DistFamily::Lognormal, 2.0, 0.0), table).kind ==
        DistKind::Constant);
}

TEST_CASE("sampling is reproducible from the key", "[dist]") {
  std::vector<double> table;
  const Dist d = compile_dist(with_mean_cv(DistFamily::Gamma, 3.0, 2.0), table);
  uint32_t d1 = 100, d2 = 100;
  for (int i = 0; i < 1000; ++i) {
    UniformStream u1 = make_stream(kSeed, 4, 5, 6, &d1);
    UniformStream u2 = make_stream(kSeed, 4, 5, 6, &d2);
    REQUIRE(sample(d, nullptr, u1) == sample(d, nullptr, u2));
  }
  CHECK(d1 == d2);
}
