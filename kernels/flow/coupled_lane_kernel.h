// The flow kernel with the plantwin physics kernel as its hook, over lanes interleaved in both
// states (neighbouring GPU threads touch neighbouring words): the cuda backend's launch for a
// scene with physical conveyors. The cpu backend runs the same LaneSim and hook with each
// lane in blocks of its own (engine/backend/cpu_backend.cpp).
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/flow/lane_sim.h"
#include "kernels/flow/physical_conveyors.h"
#include "kernels/physics/lane_physics.h"

namespace plantwin::flow {

struct CoupledLaneKernel {
  FlowModel model;
  FlowState state;                    // interleaved, `count` lanes
  int64_t first_lane;                 // global index of the chunk's lane 0
  Coupling coupling;
  phys::PhysicsModel physics;         // statics: every variant's rows, [V][n_statics]
  int32_t n_statics, n_kinds;
  const phys::BodyKind* kinds;        // [V][n_kinds]
  phys::PhysicsStateLayout play;      // built for the chunk's lanes, interleaved
  unsigned char* pbase;

  PW_HD void operator()(int64_t local_lane) const {
    const int64_t lane = first_lane + local_lane;
    const int64_t v = lane / model.replications;
    phys::InterleavedLanePhysics hook = phys::make_lane_physics(physics.p, physics.statics, n_statics, kinds, n_kinds, v,
                                                     phys::LaneView{play.bind(pbase), play.lanes, local_lane});
    LaneSim<false, phys::InterleavedLanePhysics> sim(model, state, local_lane, lane, &hook, &coupling);
    sim.run();
  }
};

}  // namespace plantwin::flow
