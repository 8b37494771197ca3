// Copies the result fields of a host-side flow state into a ChunkOutput. Shared by both
// backends (the cuda backend first copies the result fields back to the host).
#pragma once
#include "engine/backend/backend.h"
#include "kernels/flow/flow_state.h"

namespace plantwin {

void extract_chunk(const Model& model, const flow::FlowState& state, int64_t lanes, ChunkOutput& out);

// Sizes the state of `lanes` lanes of `model`, each `spacing` positions apart in a row.
flow::FlowStateLayout state_layout(const Model& model, int64_t lanes, int64_t spacing = 1);

// Indices (into FlowStateLayout::off) of the fields extract_chunk reads.
const std::vector<int>& result_fields();

}  // namespace plantwin
