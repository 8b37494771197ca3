#include "engine/physics/trajectory_record.h"

#include <cmath>
#include <limits>
#include <memory>
#include <new>

#include "engine/backend/chunk_extract.h"
#include "engine/physics/bullet_lane_physics.h"
#include "engine/physics/coupling_build.h"
#include "kernels/flow/lane_sim.h"

namespace plantwin::physics {
namespace {

void pose_of(const phys::LanePhysics& h, int32_t b, double* o) {
  phys::Vec3 p = h.L.get3(h.L.s.pos, b);
  phys::Quat q = h.L.getq(b);
  o[0] = p.x; o[1] = p.y; o[2] = p.z;
  o[3] = q.w; o[4] = q.x; o[5] = q.y; o[6] = q.z;
}

void pose_of(const BulletLanePhysics& h, int32_t b, double* o) {
  const Pose p = h.batch->pose(h.lane, b);
  for (int k = 0; k < 3; ++k) o[k] = p.p[static_cast<size_t>(k)];
  for (int k = 0; k < 4; ++k) o[3 + k] = p.q[static_cast<size_t>(k)];
}

// A physics hook that appends the lane's poses to `out` after every step.
template <class Hook>
struct Recording : Hook {
  LaneTrajectory* out = nullptr;
  double dt = 0;

  void step(int64_t k) {
    Hook::step(k);
    out->time_s.push_back(static_cast<double>(k + 1) * dt);
    const size_t at = out->pose.size();
    out->pose.resize(at + static_cast<size_t>(out->bodies) * 7, std::numeric_limits<double>::quiet_NaN());
    for (int32_t b = 0; b < out->bodies; ++b)
      if (Hook::active(b)) pose_of(*this, b, out->pose.data() + at + static_cast<size_t>(b) * 7);
  }
};

struct AlignedDelete {
  void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
};
using Block = std::unique_ptr<unsigned char, AlignedDelete>;
Block alloc_block(size_t bytes) {
  return Block(static_cast<unsigned char*>(::operator new(std::max<size_t>(bytes, 64), std::align_val_t(64))));
}

}  // namespace

size_t trajectory_bytes_bound(const Model& model) {
  if (!model.coupling) return 0;
  const double steps = std::ceil((model.warmup_s + model.horizon_s) / model.coupling->dt) + 1;
  const double bytes = steps * (static_cast<double>(model.coupling->bodies()) * 7 + 1) * sizeof(double);
  return bytes >= 1e18 ? static_cast<size_t>(1e18) : static_cast<size_t>(bytes);
}

LaneTrajectory record_trajectory(const Model& model, int64_t lane, PhysicsEngine engine) {
  const CouplingData& c = *model.coupling;
  LaneTrajectory t;
  t.lane = lane;
  t.bodies = c.bodies();
  const flow::FlowStateLayout one = state_layout(model, 1);
  Block flow_block = alloc_block(one.bytes);
  const flow::FlowState state = one.bind(flow_block.get());
  const flow::FlowModel fm = model.view();
  const flow::Coupling cv = c.view();
  const int64_t variant = lane / model.replications;
  if (engine == PhysicsEngine::Kernel) {
    const phys::PhysicsStateLayout play = lane_physics_layout(c);
    Block block = alloc_block(play.bytes);
    Recording<phys::LanePhysics> hook;
    static_cast<phys::LanePhysics&>(hook) = lane_physics(c, variant, play, block.get());
    hook.out = &t;
    hook.dt = c.dt;
    flow::LaneSim<true, Recording<phys::LanePhysics>> sim(fm, state, 0, lane, &hook, &cv);
    sim.run();
  } else {
    BulletBatch batch(c.worlds[static_cast<size_t>(variant)], 1);
    Recording<BulletLanePhysics> hook;
    hook.batch = &batch;
    hook.lane = 0;
    hook.out = &t;
    hook.dt = c.dt;
    flow::LaneSim<true, Recording<BulletLanePhysics>> sim(fm, state, 0, lane, &hook, &cv);
    sim.run();
  }
  return t;
}

}  // namespace plantwin::physics
