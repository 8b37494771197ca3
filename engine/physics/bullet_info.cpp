#include "engine/physics/bullet_info.h"

#include <LinearMath/btScalar.h>

namespace plantwin {
std::string bullet_version() {
  int v = btGetVersion();  // e.g. 324
  return std::to_string(v / 100) + "." + std::to_string(v % 100);
}
}  // namespace plantwin
