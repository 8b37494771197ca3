// The Bullet Physics library plantwin links (the physics reference backend builds on it).
#include <catch2/catch.hpp>

#include "engine/physics/bullet_info.h"

TEST_CASE("the linked Bullet library steps a world: free fall matches g t^2 / 2", "[physics]") {
  // Semi-implicit Euler at 240 Hz over-estimates g t^2/2 by g t dt / 2 = 0.02 m after 1 s.
  double fell = plantwin::bullet_free_fall_m(1.0);
  CHECK(fell == Approx(9.81 / 2).margin(0.03));
  CHECK(plantwin::bullet_version().rfind("3.", 0) == 0);
}
