// What the flow kernel knows of physical conveyors (`model: physics`, docs/scene-format.md
// section 13) and the interface through which it drives a lane's rigid-body world. Built on
// the host by engine/physics/coupling_build.cpp; read by LaneSim (kernels/flow/lane_sim.h).
//
// The world itself sits behind a per-lane *physics hook*, a class with this interface (the
// plantwin kernel's is kernels/physics/lane_physics.h; the Bullet reference's is host-only):
//   static constexpr bool kOn = true;
//   void step(int64_t k);               advance the lane's world from k * dt to (k + 1) * dt
//   phys::Vec3 centre(int32_t b);       centre of body slot b
//   bool fell(int32_t b);               the world gave b up (fell below its lost height)
//   bool active(int32_t b);             b is simulated (not free, not given up)
//   void spawn(int32_t b, int32_t kind, phys::Vec3 p, phys::Quat q);   free slot b, as a body of
//                                       `kind`, at rest at (p, q)
//   void despawn(int32_t b);            free slot b (active or given up)
//   void drive(int32_t k, bool on);     switch belt drive k
//   int64_t contact_overflow();         steps in which contact points were dropped
// NoPhysics (kOn = false) compiles every physics branch away: lanes of scenes without physical
// conveyors pay nothing.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::flow {

struct NoPhysics {
  static constexpr bool kOn = false;
  PW_HD void step(int64_t) {}
  PW_HD phys::Vec3 centre(int32_t) const { return phys::Vec3{0, 0, 0}; }
  PW_HD bool fell(int32_t) const { return false; }
  PW_HD bool active(int32_t) const { return false; }
  PW_HD void spawn(int32_t, int32_t, phys::Vec3, phys::Quat) {}
  PW_HD void despawn(int32_t) {}
  PW_HD void drive(int32_t, bool) {}
  PW_HD int64_t contact_overflow() const { return 0; }
};

// One physical conveyor in one variant.
struct PhysConveyor {
  phys::Vec3 start;       // the path's first point (on the belt surface)
  phys::Vec3 end;         // the path's last point (on the belt surface)
  phys::Vec3 along;       // the last leg's direction and the horizontal unit across it
  phys::Vec3 across;
  double half_width = 0;  // half the distance between the guides
  double lost_z = 0;      // a centre below this has fallen off the line
  double lost_after = 0;  // [s] on the belt, not counting time held at the end: late, lost
  double max_half_along = 0;  // the longest riding part's half length along the belt
};

// A part type on a physical conveyor in one variant: where it spawns and what body it is.
struct PhysPart {
  phys::Vec3 spawn_p;
  phys::Quat spawn_q;
  double half_along = 0;  // half its length along the belt
  int32_t kind = 0;       // body kind (conveyor * parts + part type)
};

// A part may enter when every part on the belt has its centre at least this much farther from
// the spawn point than the two parts' half lengths: it never spawns into another part.
constexpr double kSpawnClearance = 0.01;  // [m]

struct Coupling {
  int32_t n_conv = 0;                  // physical conveyors
  int32_t n_parts = 1;
  double dt = 0;                       // the physics step [s]
  const int32_t* conv_of = nullptr;    // [E] physical conveyor index, or -1
  const int32_t* conv_elem = nullptr;  // [C] its element
  const int32_t* body_first = nullptr; // [C + 1] body slots of conveyor c: [body_first[c], body_first[c + 1])
  const PhysConveyor* conv = nullptr;  // [V][C]
  const PhysPart* part = nullptr;      // [V][C][parts]
};

// The part's centre has crossed the end of the path (engine/physics/conveyor_geometry.h,
// crossed_end: past the end point along the last leg, within the belt's corridor there).
PW_HD inline bool crossed_end(const PhysConveyor& c, phys::Vec3 centre) {
  phys::Vec3 r = centre - c.end;
  double a = phys::dot(r, c.across);
  return phys::dot(r, c.along) > 0 && (a < 0 ? -a : a) <= c.half_width;
}

}  // namespace plantwin::flow
