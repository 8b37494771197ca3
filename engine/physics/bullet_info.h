// The Bullet Physics library this build links (the physics reference backend builds on it).
#pragma once
#include <string>

namespace plantwin {
// Bullet's version as it reports itself at run time, e.g. "3.24".
std::string bullet_version();
}
