// Bodies the physics tests build worlds from (engine/physics/world_desc.h).
#pragma once
#include "engine/physics/world_desc.h"

namespace plantwin::test {

// A cube of half size `half` at `pos`, at rest.
inline physics::BodyDesc cube(double half, physics::Vec3d pos, double mass = 1.0, double friction = 0.4) {
  physics::BodyDesc b;
  b.shape = physics::Shape::Box;
  b.half_extents = {half, half, half};
  b.mass = mass;
  b.position = pos;
  b.friction = friction;
  return b;
}

// An upright cylinder at `pos`, at rest.
inline physics::BodyDesc cylinder(double radius, double half_height, physics::Vec3d pos, double mass,
                                  double friction) {
  physics::BodyDesc c;
  c.shape = physics::Shape::Cylinder;
  c.radius = radius;
  c.half_height = half_height;
  c.mass = mass;
  c.position = pos;
  c.friction = friction;
  return c;
}

}  // namespace plantwin::test
