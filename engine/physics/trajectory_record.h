// `--record-lanes`: the poses of every body of chosen lanes after each physics step
// (/physics/trajectory/<lane> in the results file). A recorded lane is run once more on the
// cpu with the same engine; lanes are deterministic, so it is the lane of the batch.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/backend/backend.h"
#include "engine/batch/batch_results.h"
#include "engine/model/model.h"

namespace plantwin::physics {

// The most bytes one lane's trajectory can take: a step every dt from 0 to the end of the
// horizon, 7 doubles per body slot, plus the times.
size_t trajectory_bytes_bound(const Model& model);

// Runs lane `lane` of `model` (which has physical conveyors) and returns its trajectory.
LaneTrajectory record_trajectory(const Model& model, int64_t lane, PhysicsEngine engine);

}  // namespace plantwin::physics
