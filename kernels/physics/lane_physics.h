// The plantwin physics kernel as the flow kernel's physics hook (the interface is described
// in kernels/flow/physical_conveyors.h): one lane's rigid-body world, stepped and edited in
// place. Single-source: the cpu backend (lane blocks) and the cuda backend (interleaved
// lanes) both use it.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/physics_state.h"
#include "kernels/physics/physics_step.h"

namespace plantwin::phys {

template <class V>
struct LanePhysicsT {
  static constexpr bool kOn = true;
  PhysicsModel model;      // statics: the lane's variant's row
  V L;
  const BodyKind* kinds;   // the lane's variant's row of body kinds

  PW_HD void step(int64_t k) { physics_step(model, L, k); }
  PW_HD Vec3 centre(int32_t b) const { return L.get3(L.s.pos, b); }
  PW_HD bool fell(int32_t b) const { return L.s.lost[L.at(b)] != 0; }
  PW_HD bool active(int32_t b) const { return L.s.active[L.at(b)] != 0; }
  PW_HD void spawn(int32_t b, int32_t kind, Vec3 p, Quat q) { spawn_body_as(L, b, kinds[kind], p, q); }
  PW_HD void despawn(int32_t b) { despawn_body(L, b); }
  PW_HD void drive(int32_t k, bool on) { L.s.drive_on[L.at(k)] = on ? 1 : 0; }
  PW_HD int64_t contact_overflow() const { return L.s.overflow_count[L.lane()]; }

  // An empty world: every body slot free, every stopper raised, every drive on, nothing lost.
  PW_HD void clear() const {
    const PhysicsState& s = L.s;
    for (int32_t b = 0; b < model.p.bodies; ++b) {
      L.set3(s.pos, b, Vec3{0, 0, 0});
      L.setq(b, Quat{1, 0, 0, 0});
      L.set3(s.vel, b, Vec3{0, 0, 0});
      L.set3(s.angvel, b, Vec3{0, 0, 0});
      s.active[L.at(b)] = 0;
      s.lost[L.at(b)] = 0;
      s.order[L.at(b)] = b;
    }
    for (int32_t k = 0; k < model.p.stoppers; ++k) s.stopper_up[L.at(k)] = 1;
    for (int32_t k = 0; k < model.p.drives; ++k) s.drive_on[L.at(k)] = 1;
    s.ct_count[L.lane()] = 0;
    s.pv_count[L.lane()] = 0;
    s.lost_count[L.lane()] = 0;
    s.overflow_count[L.lane()] = 0;
  }
};

using LanePhysics = LanePhysicsT<LaneBlock>;              // cpu: each lane its own block
using InterleavedLanePhysics = LanePhysicsT<LaneView>;    // cuda: lanes interleaved

// The hook of a lane of `variant` whose world is L, cleared. `statics` and `kinds` hold every
// variant's rows ([V][n_statics], [V][n_kinds]); the hook reads its variant's.
template <class V>
PW_HD inline LanePhysicsT<V> make_lane_physics(const PhysicsParams& p, const StaticBox* statics, int32_t n_statics,
                                               const BodyKind* kinds, int32_t n_kinds, int64_t variant,
                                               const V& L) {
  LanePhysicsT<V> h;
  h.model.p = p;
  h.model.statics = statics + variant * n_statics;
  h.kinds = kinds + variant * n_kinds;
  h.L = L;
  h.clear();
  return h;
}

}  // namespace plantwin::phys
