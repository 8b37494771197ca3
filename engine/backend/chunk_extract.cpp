#include "engine/backend/chunk_extract.h"

namespace plantwin {

flow::FlowStateLayout state_layout(const Model& model, int64_t lanes) {
  flow::FlowStateLayout layout;
  layout.build(lanes, model.n_elements, model.n_slots, model.n_stations(), model.n_buffers(),
               static_cast<int32_t>(model.timed.size()));
  return layout;
}

const std::vector<int>& result_fields() {
  using namespace flow;
  static const std::vector<int> f = {kFSrcReleased, kFSrcLost, kFStAcc,   kFBufArea, kFProduced,
                                     kFLeadSum,     kFWipArea, kFEvents, kFOverflow};
  return f;
}

void extract_chunk(const Model& model, const flow::FlowState& s, int64_t n, ChunkOutput& out) {
  const int64_t E = model.n_elements, St = model.n_stations(), B = model.n_buffers();
  out.lanes = n;
  out.produced.assign(s.produced, s.produced + n);
  out.events.assign(s.events, s.events + n);
  out.lead_sum.assign(s.lead_sum, s.lead_sum + n);
  out.wip_area.assign(s.wip_area, s.wip_area + n);
  out.overflow.assign(s.overflow, s.overflow + n);
  // Transpose [field][lane] to [lane][field] for the results file.
  out.st_acc.resize(static_cast<size_t>(n * St * flow::kStationStates));
  for (int64_t r = 0; r < St * flow::kStationStates; ++r)
    for (int64_t l = 0; l < n; ++l) out.st_acc[l * St * flow::kStationStates + r] = s.st_acc[r * n + l];
  out.buf_area.resize(static_cast<size_t>(n * B));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t l = 0; l < n; ++l) out.buf_area[l * B + b] = s.buf_area[b * n + l];
  out.src_released.resize(static_cast<size_t>(n * E));
  out.src_lost.resize(static_cast<size_t>(n * E));
  for (int64_t e = 0; e < E; ++e)
    for (int64_t l = 0; l < n; ++l) {
      out.src_released[l * E + e] = s.src_released[e * n + l];
      out.src_lost[l * E + e] = s.src_lost[e * n + l];
    }
}

}  // namespace plantwin
