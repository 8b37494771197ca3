#include "engine/backend/cpu_coupled.h"

#include <algorithm>
#include <memory>
#include <new>
#include <vector>

#include "engine/physics/bullet_lane_physics.h"
#include "engine/physics/coupling_build.h"
#include "kernels/flow/lane_sim.h"
#include "kernels/physics/lane_physics.h"

namespace plantwin {
namespace {

struct AlignedDelete {
  void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
};

// Each lane's world in a block of its own, beside its flow block.
void run_kernel(const Model& model, const flow::FlowStateLayout& one, unsigned char* flow_blocks, int64_t first_lane,
                int64_t count) {
  const physics::CouplingData& c = *model.coupling;
  const phys::PhysicsStateLayout play = physics::lane_physics_layout(c);
  std::unique_ptr<unsigned char, AlignedDelete> worlds(static_cast<unsigned char*>(
      ::operator new(std::max<size_t>(64, play.bytes * static_cast<size_t>(count)), std::align_val_t(64))));
  const flow::FlowModel fm = model.view();
  const flow::Coupling cv = c.view();
  const int64_t R = model.replications;
  // Lanes with parts on physical belts differ widely in cost: hand them out one at a time.
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t l = 0; l < count; ++l) {
    const int64_t lane = first_lane + l;
    flow::FlowState state = one.bind(flow_blocks + l * static_cast<int64_t>(one.bytes));
    phys::LanePhysics hook = physics::lane_physics(c, lane / R, play, worlds.get() + l * static_cast<int64_t>(play.bytes));
    flow::LaneSim<true, phys::LanePhysics> sim(fm, state, 0, lane, &hook, &cv);
    sim.run();
  }
}

// The same lanes with Bullet stepping the physical conveyors: one BulletBatch per variant
// that has lanes in this chunk, one Bullet world per lane.
void run_bullet(const Model& model, const flow::FlowStateLayout& one, unsigned char* flow_blocks, int64_t first_lane,
                int64_t count) {
  const physics::CouplingData& c = *model.coupling;
  const flow::FlowModel fm = model.view();
  const flow::Coupling cv = c.view();
  const int64_t R = model.replications;
  const int64_t v0 = first_lane / R, v1 = (first_lane + count - 1) / R;
  std::vector<std::unique_ptr<physics::BulletBatch>> batches;
  for (int64_t v = v0; v <= v1; ++v) {
    const int64_t lo = std::max(first_lane, v * R), hi = std::min(first_lane + count, (v + 1) * R);
    batches.push_back(std::make_unique<physics::BulletBatch>(c.worlds[static_cast<size_t>(v)], hi - lo));
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t l = 0; l < count; ++l) {
    const int64_t lane = first_lane + l, v = lane / R;
    const int64_t lo = std::max(first_lane, v * R);
    flow::FlowState state = one.bind(flow_blocks + l * static_cast<int64_t>(one.bytes));
    physics::BulletLanePhysics hook{batches[static_cast<size_t>(v - v0)].get(), lane - lo};
    flow::LaneSim<true, physics::BulletLanePhysics> sim(fm, state, 0, lane, &hook, &cv);
    sim.run();
  }
}

}  // namespace

void cpu_run_coupled(const Model& model, const flow::FlowStateLayout& one, unsigned char* flow_blocks,
                     int64_t first_lane, int64_t count, PhysicsEngine engine) {
  if (engine == PhysicsEngine::Bullet) run_bullet(model, one, flow_blocks, first_lane, count);
  else run_kernel(model, one, flow_blocks, first_lane, count);
}

}  // namespace plantwin
