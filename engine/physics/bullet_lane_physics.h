// The Bullet reference as the flow kernel's physics hook (interface in
// kernels/flow/physical_conveyors.h): one lane of a BulletBatch. Host only; lanes of one batch
// may run on different threads at once (BulletBatch::step_lane).
#pragma once
#include <cstdint>

#include "engine/physics/bullet_world.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::physics {

struct BulletLanePhysics {
  static constexpr bool kOn = true;
  BulletBatch* batch;
  int64_t lane;

  void step(int64_t) { batch->step_lane(lane); }  // the lane counts its own steps
  phys::Vec3 centre(int32_t b) const {
    const Pose p = batch->pose(lane, b);
    return phys::Vec3{p.p[0], p.p[1], p.p[2]};
  }
  bool fell(int32_t b) const { return batch->lost(lane, b); }
  bool active(int32_t b) const { return batch->active(lane, b); }
  void spawn(int32_t b, int32_t kind, phys::Vec3 p, phys::Quat q) {
    batch->spawn(lane, b, Pose{{p.x, p.y, p.z}, {q.w, q.x, q.y, q.z}}, kind);
  }
  void despawn(int32_t b) { batch->despawn(lane, b); }
  void drive(int32_t k, bool on) { batch->set_drive(lane, k, on); }
  int64_t contact_overflow() const { return 0; }  // Bullet has no fixed contact capacity
};

}  // namespace plantwin::physics
