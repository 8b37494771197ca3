#include "engine/backend/chunk_extract.h"

namespace plantwin {

flow::FlowStateLayout state_layout(const Model& model, int64_t lanes, int64_t spacing) {
  flow::FlowStateLayout layout;
  layout.build(lanes, model.n_elements, model.n_slots, model.n_stations(), model.n_buffers(),
               static_cast<int32_t>(model.timed.size()), spacing);
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
  const int64_t K = flow::kStationStates, stride = s.lanes, sp = s.lane_spacing;
  // field[row * stride + lane * spacing] -> [lane][row], the results file's order.
  auto gather = [&](auto* field, int64_t rows, auto& dst) {
    dst.resize(static_cast<size_t>(n * rows));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t l = 0; l < n; ++l) dst[l * rows + r] = field[r * stride + l * sp];
  };
  out.lanes = n;
  gather(s.produced, 1, out.produced);
  gather(s.events, 1, out.events);
  gather(s.lead_sum, 1, out.lead_sum);
  gather(s.wip_area, 1, out.wip_area);
  gather(s.overflow, 1, out.overflow);
  gather(s.st_acc, St * K, out.st_acc);
  gather(s.buf_area, B, out.buf_area);
  gather(s.src_released, E, out.src_released);
  gather(s.src_lost, E, out.src_lost);
}

}  // namespace plantwin
