// The cpu backend's lanes of a scene with physical conveyors: the flow kernel with a physics
// hook (the plantwin physics kernel, or the Bullet reference). In a translation unit of its
// own: instantiated beside the plain flow kernel, these large kernels changed the compiler's
// inlining of the plain one (7.6 % more instructions on the ten-station line).
#pragma once
#include <cstdint>

#include "engine/backend/backend.h"
#include "engine/model/model.h"
#include "kernels/flow/flow_state.h"

namespace plantwin {

// Runs lanes [first_lane, first_lane + count) of `model` (which has a coupling) over OpenMP
// threads; lane l's flow state is the block of layout `one` at flow_blocks + l * one.bytes.
void cpu_run_coupled(const Model& model, const flow::FlowStateLayout& one, unsigned char* flow_blocks,
                     int64_t first_lane, int64_t count, PhysicsEngine engine);

}  // namespace plantwin
