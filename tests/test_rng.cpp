// Philox known answers, the uniform stream contract, and the portable math against glibc.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>

#include "kernels/math/portable_math.h"
#include "kernels/rng/philox.h"
#include "kernels/rng/uniform_stream.h"

using namespace plantwin;

namespace {

uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double from_bits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Distance in units in the last place: the number of doubles between a and b (0 if equal,
// including both NaN or the same infinity).
uint64_t ulp_distance(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : UINT64_MAX;
  if (a == b) return 0;
  auto ordered = [](double x) {
    int64_t i;
    std::memcpy(&i, &x, sizeof i);
    return i < 0 ? INT64_MIN - i : i;  // monotone map of doubles onto int64
  };
  const int64_t ia = ordered(a), ib = ordered(b);
  return ia > ib ? static_cast<uint64_t>(ia) - static_cast<uint64_t>(ib)
                 : static_cast<uint64_t>(ib) - static_cast<uint64_t>(ia);
}

void check_philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1,
                  uint32_t e0, uint32_t e1, uint32_t e2, uint32_t e3) {
  const Philox4x32Out o = philox4x32_10(c0, c1, c2, c3, k0, k1);
  CHECK(o.v[0] == e0);
  CHECK(o.v[1] == e1);
  CHECK(o.v[2] == e2);
  CHECK(o.v[3] == e3);
}

}  // namespace

TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors", "[rng]") {
  check_philox(0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
  check_philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
               0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
  check_philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
               0x94fdcceb, 0x5001e420, 0x24126ea1);
}

TEST_CASE("word-to-double conversion stays strictly inside (0, 1)", "[rng]") {
  CHECK(u01_from_words(0, 0) == std::ldexp(1.0, -53));
  CHECK(u01_from_words(0xffffffff, 0xffffffff) == 1.0 - std::ldexp(1.0, -53));
  CHECK(u01_from_words(0x80000000, 0) == 0.5 + std::ldexp(1.0, -53));
  // The low 12 bits of the low word are not used.
  CHECK(u01_from_words(0x12345678, 0x9abcdfff) == u01_from_words(0x12345678, 0x9abcd000));
}

TEST_CASE("uniform stream: open interval, moments, block accounting", "[rng]") {
  uint32_t draw = 0;
  UniformStream s = make_stream(0x0123456789abcdefull, 3, 7, 1, &draw);
  const int n = 1000000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.next();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sum2 += u * u;
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
  CHECK(draw == static_cast<uint32_t>(n / 2));  // two doubles per block
  const double mean = sum / n, var = sum2 / n - mean * mean;
  CHECK(std::fabs(mean - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
  CHECK(std::fabs(var - 1.0 / 12) < 4 * std::sqrt(1.0 / 180 / n));  // mu4 - sigma^4 = 1/180
}

TEST_CASE("uniform stream: values are a pure function of the key", "[rng]") {
  const uint64_t seed = 0xfeedface00c0ffeeull;
  auto first = [](uint64_t sd, uint32_t rep, uint32_t el, uint32_t pu, uint32_t dr) {
    uint32_t d = dr;
    UniformStream s = make_stream(sd, rep, el, pu, &d);
    return s.next();
  };
  // A fresh stream starts on the block at the current draw counter, words 0 and 1.
  uint32_t d = 5;
  UniformStream s = make_stream(seed, 1, 2, 3, &d);
  const Philox4x32Out b = philox4x32_10(1, 2, 3, 5, 0x00c0ffeeu, 0xfeedfaceu);
  CHECK(s.next() == u01_from_words(b.v[0], b.v[1]));
  CHECK(d == 6);
  CHECK(s.next() == u01_from_words(b.v[2], b.v[3]));  // the spare, no new block
  CHECK(d == 6);
  s.next();
  CHECK(d == 7);

  CHECK(first(seed, 1, 2, 3, 4) == first(seed, 1, 2, 3, 4));
  std::set<double> seen;
  seen.insert(first(seed, 1, 2, 3, 4));
  seen.insert(first(seed ^ 1, 1, 2, 3, 4));                // seed, low word
  seen.insert(first(seed ^ (1ull << 32), 1, 2, 3, 4));     // seed, high word
  seen.insert(first(seed, 0, 2, 3, 4));                    // replication
  seen.insert(first(seed, 1, 0, 3, 4));                    // element
  seen.insert(first(seed, 1, 2, 0, 4));                    // purpose
  seen.insert(first(seed, 1, 2, 3, 0));                    // draw
  CHECK(seen.size() == 7);

  // Many neighbouring keys: no collisions among 52-bit values expected.
  std::set<double> many;
  for (uint32_t el = 0; el < 100; ++el)
    for (uint32_t dr = 0; dr < 100; ++dr) many.insert(first(seed, 0, el, 0, dr));
  CHECK(many.size() == 10000);
}

TEST_CASE("pmath::log within 2 ulp of glibc", "[math]") {
  uint64_t st = 1;
  uint64_t worst = 0;
  double worst_x = 0;
  auto probe = [&](double x) {
    const uint64_t e = ulp_distance(plantwin::pmath::log(x), std::log(x));
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  };
  const double edges[] = {1.0,
                          std::nextafter(1.0, 2.0),
                          std::nextafter(1.0, 0.0),
                          2.0,
                          0.5,
                          std::sqrt(2.0),
                          std::sqrt(0.5),
                          std::numeric_limits<double>::min(),
                          std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::max(),
                          std::ldexp(1.0, -53),
                          1.0 - std::ldexp(1.0, -53),
                          M_E,
                          0.0,
                          std::numeric_limits<double>::infinity()};
  for (double x : edges) probe(x);
  for (int i = 0; i < 400000; ++i) {  // any positive finite double, subnormals included
    const double x = from_bits(splitmix64(st) % 0x7FF0000000000000ull);
    if (x > 0) probe(x);
  }
  for (int i = 0; i < 400000; ++i)  // near 1, where the result is small and cancellation bites
    probe(1.0 + std::ldexp(static_cast<double>(splitmix64(st) >> 11), -53) * 0.6 - 0.3);
  for (int i = 0; i < 200000; ++i)  // the sampler's domain: uniforms in (0, 1)
    probe((static_cast<double>(splitmix64(st) >> 12) + 0.5) * std::ldexp(1.0, -52));
  INFO("worst x = " << worst_x);
  CHECK(worst <= 2);
  CHECK(plantwin::pmath::log(1.0) == 0.0);
  CHECK(std::isnan(plantwin::pmath::log(-1.0)));
  CHECK(plantwin::pmath::log(0.0) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("pmath::exp within 2 ulp of glibc", "[math]") {
  uint64_t st = 2;
  uint64_t worst = 0;
  double worst_x = 0;
  auto probe = [&](double x) {
    const uint64_t e = ulp_distance(plantwin::pmath::exp(x), std::exp(x));
    if (e > worst) {
      worst = e;
      worst_x = x;
    }
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double edges[] = {0.0,   -0.0,    1.0,     -1.0,    1e-300,          -1e-300,
                          709.78, 709.782712893384, 709.7827128933841, -708.39, -708.4,
                          -745.1332191019411, -745.1332191019412, -745.2, -744.4400719213812,
                          710.0, -800.0, inf,   -inf};
  for (double x : edges) probe(x);
  for (int i = 0; i < 600000; ++i)  // the whole finite range, overflow and underflow included
    probe(-746.0 + 1456.0 * std::ldexp(static_cast<double>(splitmix64(st) >> 11), -53));
  for (int i = 0; i < 300000; ++i) {  // small |x|, any magnitude
    const double x = from_bits(splitmix64(st) % 0x3FF0000000000000ull);
    probe(i % 2 ? x : -x);
  }
  for (int i = 0; i < 100000; ++i)  // the gradual underflow band
    probe(-745.2 + 37.0 * std::ldexp(static_cast<double>(splitmix64(st) >> 11), -53));
  INFO("worst x = " << worst_x);
  CHECK(worst <= 2);
  CHECK(plantwin::pmath::exp(0.0) == 1.0);
  CHECK(std::isnan(plantwin::pmath::exp(std::nan(""))));
}

TEST_CASE("pmath::pow: ~ulp accuracy for moderate exponents, |b log a| ulp in general", "[math]") {
  uint64_t st = 3;
  auto unit = [&] { return std::ldexp(static_cast<double>(splitmix64(st) >> 11), -53); };
  uint64_t worst_small = 0;
  double worst_scaled = 0;
  for (int i = 0; i < 300000; ++i) {  // |b log a| <= 1: the error of exp and log dominates
    const double a = std::exp(-40.0 + 80.0 * unit());
    const double b = (2.0 * unit() - 1.0) / std::fabs(std::log(a));
    worst_small = std::max(worst_small, ulp_distance(plantwin::pmath::pow(a, b), std::pow(a, b)));
  }
  for (int i = 0; i < 300000; ++i) {  // results anywhere in [1e-300, 1e300]
    const double a = std::exp(-40.0 + 80.0 * unit());
    const double t = -690.0 + 1380.0 * unit();
    const double b = t / std::log(a);
    const double e = static_cast<double>(ulp_distance(plantwin::pmath::pow(a, b), std::pow(a, b)));
    worst_scaled = std::max(worst_scaled, e / (2.0 + std::fabs(b * std::log(a))));
  }
  CHECK(worst_small <= 4);
  CHECK(worst_scaled <= 4.0);  // error <= 4 * (2 + |b log a|) ulp
  CHECK(ulp_distance(plantwin::pmath::pow(2.0, 10.0), 1024.0) <= 4);
  CHECK(plantwin::pmath::pow(0.3, 0.0) == 1.0);
  CHECK(plantwin::pmath::sqrt(2.0) == std::sqrt(2.0));
}
