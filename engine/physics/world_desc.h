// A rigid-body world as both physics backends receive it: the plantwin kernel
// (kernels/physics/, cpu and cuda) and the Bullet reference (engine/physics/bullet_world.h).
// Built from a scene's physical conveyors (engine/physics/conveyor_geometry.h) or directly by
// tests and benchmarks. Units: metres, kilograms, seconds, radians; z is up. Everything here
// is validated by whoever builds it; the backends trust it.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace plantwin::physics {

using Vec3d = std::array<double, 3>;
using Quatd = std::array<double, 4>;  // w, x, y, z (unit)

enum class Shape : uint8_t { Box = 0, Cylinder = 1 };

// A dynamic body: a part. A cylinder's axis is its local z axis.
struct BodyDesc {
  Shape shape = Shape::Box;
  Vec3d half_extents{0.1, 0.1, 0.1};  // box
  double radius = 0.05;               // cylinder
  double half_height = 0.1;           // cylinder
  double mass = 1.0;                  // > 0
  Vec3d position{0, 0, 0};
  Quatd orientation{1, 0, 0, 0};
  Vec3d velocity{0, 0, 0};
  Vec3d angular_velocity{0, 0, 0};    // world frame
  double friction = 0.5;              // Coulomb coefficient (combined with the other surface's by the product's square root)
  double restitution = 0.0;
  // false: a dormant slot, in every lane at the start -- not simulated, never collided, its
  // pose and velocity irrelevant -- until the batch spawns a part into it (PhysicsBatch::spawn,
  // BulletBatch::spawn). The slot's shape, mass and materials are the part's.
  bool active = true;
};

// A static (or kinematic) box: belt segments, side guides, stoppers.
struct StaticBoxDesc {
  Vec3d center{0, 0, 0};
  Quatd orientation{1, 0, 0, 0};
  Vec3d half_extents{0.5, 0.5, 0.5};
  double friction = 0.5;
  double restitution = 0.0;
  // Belts: the velocity the surface moves with (world frame, tangential to its top face). The
  // box itself never moves; contacts on it aim for this relative tangential velocity (like
  // Box2D's tangentSpeed).
  Vec3d surface_velocity{0, 0, 0};
  // -1: always present. Else a stopper: present in a lane only while that lane's stopper flag
  // with this index is set (the flow side raises and lowers it).
  int32_t stopper = -1;
  // Belts: -1 always moving. Else the surface moves only while that lane's drive flag with
  // this index is set (set_drive; all start set): a non-accumulating conveyor stops its belt.
  int32_t drive = -1;
  // Kinematic bodies (pushers, grippers): when `kinematic`, the box moves from center with
  // velocity `kinematic_velocity` for t in [kinematic_start, kinematic_end) and then stays.
  bool kinematic = false;
  Vec3d kinematic_velocity{0, 0, 0};
  double kinematic_start = 0, kinematic_end = 0;
};

struct WorldDesc {
  double dt = 0.002;       // step [s]
  int32_t substeps = 4;    // solver substeps per step
  double gravity = 9.81;   // along -z [m/s^2]
  bool floor = true;       // the plane z = 0
  double floor_friction = 0.5;
  std::vector<StaticBoxDesc> statics;
  std::vector<BodyDesc> bodies;     // the same bodies start in every lane
  // Body kinds a spawn may turn a slot into (spawn(..., kind)): shape, size, mass and
  // materials are taken from kinds[kind]; its pose, velocities and `active` are ignored.
  std::vector<BodyDesc> kinds;
  int32_t contact_capacity = 0;     // contact points per lane; 0: 16 per body
  // A body counts as lost when it falls below this height (fell off the line).
  double lost_below_z = -1.0;
};

// The pose of one body: position and orientation (w, x, y, z) -- the 7 numbers of a trajectory.
struct Pose {
  Vec3d p{0, 0, 0};
  Quatd q{1, 0, 0, 0};
};

}  // namespace plantwin::physics
