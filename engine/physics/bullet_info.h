// The Bullet Physics library this build links: the physics reference backend builds on it.
#pragma once
#include <string>

namespace plantwin {

// Bullet's version as it reports itself at run time, e.g. "3.24".
std::string bullet_version();

// Drops a sphere in a one-body Bullet world for `seconds` of simulated time (240 Hz steps,
// no air drag) and returns the distance it fell [m]: a quick proof that the linked library
// works, compared with g*t^2/2 by `plantwin version` and the tests.
double bullet_free_fall_m(double seconds);

}  // namespace plantwin
