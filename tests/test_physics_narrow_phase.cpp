// The box-box edge axes (kernels/physics/collide.h, box_edge_query: Gottschalk's closed form
// from C = R_A^T R_B) against the definition: both boxes' 8 vertices projected on every axis
// a_i x b_j. And an edge-on-edge contact worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "kernels/physics/collide.h"
#include "kernels/physics/hull.h"

namespace ph = plantwin::phys;

namespace {

ph::Quat unit(double w, double x, double y, double z) {
  const double l = std::sqrt(w * w + x * x + y * y + z * z);
  return ph::Quat{w / l, x / l, y / l, z / l};
}

ph::Hull box(ph::Vec3 c, ph::Quat q, ph::Vec3 h) {
  ph::Hull H;
  ph::make_hull(H, ph::kShapeBox, c, ph::rotation(q), h);
  return H;
}

// Separation along unit axis n: the gap between the two vertex sets' projections (< 0: overlap).
double separation_by_vertices(const ph::Hull& A, const ph::Hull& B, ph::Vec3 n) {
  double alo = 1e300, ahi = -1e300, blo = 1e300, bhi = -1e300;
  for (int i = 0; i < 8; ++i) {
    const double pa = ph::dot(n, A.vertex(i)), pb = ph::dot(n, B.vertex(i));
    alo = std::min(alo, pa);
    ahi = std::max(ahi, pa);
    blo = std::min(blo, pb);
    bhi = std::max(bhi, pb);
  }
  return std::max(blo - ahi, alo - bhi);
}

}  // namespace

TEST_CASE("narrow phase: box edge axes in closed form match the vertices' projections", "[physics][narrow-phase]") {
  std::mt19937_64 gen(2026);
  std::uniform_real_distribution<double> u(-1, 1), size(0.05, 0.6);
  int compared = 0, separated = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const ph::Hull A = box({u(gen), u(gen), u(gen)}, unit(u(gen), u(gen), u(gen), u(gen)), {size(gen), size(gen), size(gen)});
    const ph::Hull B = box({u(gen), u(gen), u(gen)}, unit(u(gen), u(gen), u(gen), u(gen)), {size(gen), size(gen), size(gen)});
    // The largest separation over the nine axes, by definition.
    double best = -1e300;
    int bi = -1, bj = -1;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const ph::Vec3 ax = ph::cross(ph::col(A.R, i), ph::col(B.R, j));
        const double l2 = ph::length_sq(ax);
        if (l2 < 1e-12) continue;
        const double s = separation_by_vertices(A, B, (1.0 / std::sqrt(l2)) * ax);
        if (s > best) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    double se = 0;
    int ea = -2, eb = -2;
    const double margin = 1e300;  // never stop early: compare the whole search
    REQUIRE(ph::box_edge_query(A, B, margin, se, ea, eb));
    INFO("trial " << trial);
    CHECK(se == Approx(best).margin(1e-12));
    // The same axis, unless two axes separate equally to rounding.
    if (ea != bi || eb != bj) {
      const ph::Vec3 ax = ph::cross(ph::col(A.R, ea), ph::col(B.R, eb));
      CHECK(separation_by_vertices(A, B, (1.0 / std::sqrt(ph::length_sq(ax))) * ax) == Approx(best).margin(1e-12));
    }
    // With a margin below the largest separation the query reports separated boxes.
    double s2 = 0;
    int a2 = 0, b2 = 0;
    if (best > 0) {
      CHECK_FALSE(ph::box_edge_query(A, B, best - 1e-9, s2, a2, b2));
      ++separated;
    }
    ++compared;
  }
  CHECK(compared == 20000);
  CHECK(separated > 1000);
}

TEST_CASE("narrow phase: two boxes edge on edge touch at one point along +z", "[physics][narrow-phase]") {
  // A: a unit cube turned 45 degrees about x, so its top edge runs along x at z = sqrt(1/2).
  // B: a unit cube turned 45 degrees about y, its bottom edge along y, 1 cm above A's edge.
  const double s = std::sqrt(0.5), c45 = std::cos(M_PI / 8), s45 = std::sin(M_PI / 8);
  const ph::Hull A = box({0, 0, 0}, ph::Quat{c45, s45, 0, 0}, {0.5, 0.5, 0.5});
  const ph::Hull B = box({0, 0, 2 * s + 0.01}, ph::Quat{c45, 0, s45, 0}, {0.5, 0.5, 0.5});
  ph::Manifold m;
  REQUIRE(ph::collide_hulls(A, B, 0.02, m));
  REQUIRE(m.count == 1);
  CHECK(m.n.x == Approx(0).margin(1e-12));
  CHECK(m.n.y == Approx(0).margin(1e-12));
  CHECK(m.n.z == Approx(1).epsilon(1e-12));
  CHECK(m.sep[0] == Approx(0.01).epsilon(1e-9));
  // Midway between the edges' closest points (0, 0, s) and (0, 0, s + 0.01).
  CHECK(m.p[0].x == Approx(0).margin(1e-9));
  CHECK(m.p[0].y == Approx(0).margin(1e-9));
  CHECK(m.p[0].z == Approx(s + 0.005).epsilon(1e-9));
  // Swapped, the normal still points from A (now the upper box) to B: -z.
  ph::Manifold r;
  REQUIRE(ph::collide_hulls(B, A, 0.02, r));
  CHECK(r.n.z == Approx(-1).epsilon(1e-12));
  // 3 cm apart they are beyond the 2 cm margin.
  const ph::Hull far = box({0, 0, 2 * s + 0.03}, ph::Quat{c45, 0, s45, 0}, {0.5, 0.5, 0.5});
  CHECK_FALSE(ph::collide_hulls(A, far, 0.02, m));
}
