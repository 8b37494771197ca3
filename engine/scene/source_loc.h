// Positions in a scene file and in space, shared by the scene and its variants.
#pragma once
#include <array>

namespace plantwin {

// 1-based line and column in the scene file.
struct SourceLoc {
  int line = 0;
  int column = 0;
};

using Vec3 = std::array<double, 3>;  // metres, z up

}  // namespace plantwin
