#include "engine/backend/chunk_extract.h"

#include <type_traits>

namespace plantwin {

flow::FlowStateLayout state_layout(const Model& model, int64_t lanes, int64_t spacing) {
  // The kernel's own view of the model carries every count the layout needs.
  const flow::FlowModel fm = model.view();
  flow::FlowDims d;
  d.E = fm.n_elements;
  d.T = fm.n_timed;
  d.S = fm.n_slots;
  d.N = fm.n_servers;
  d.M = fm.max_modes;
  d.St = fm.n_stations;
  d.B = fm.n_buffers;
  d.O = fm.n_pools;
  d.R = fm.n_robots;
  d.P = fm.n_parts;
  flow::FlowStateLayout layout;
  layout.build(lanes, d, spacing);
  return layout;
}

const std::vector<int>& result_fields() {
  using namespace flow;
  static const std::vector<int> f = {
      kF_src_released, kF_src_lost, kF_st_acc,  kF_st_done,         kF_st_scrap,   kF_st_rework,
      kF_st_active,    kF_st_periods, kF_buf_area, kF_buf_max,      kF_pool_busy,  kF_robot_busy,
      kF_produced_by_part, kF_lead_hist, kF_produced, kF_lead_sum,  kF_lead_max,   kF_wip_area,
      kF_events, kF_stalled_at,       kF_overflow, kF_phys_lost, kF_phys_overflow, kF_phys_steps};
  return f;
}

void extract_chunk(const Model& model, const flow::FlowState& s, int64_t n, ChunkOutput& out) {
  const int64_t E = model.n_elements, St = model.n_stations(), B = model.n_buffers();
  const int64_t P = model.n_parts, O = static_cast<int64_t>(model.pools.size());
  const int64_t R = static_cast<int64_t>(model.robots.size());
  const int64_t K = flow::kStationStates, stride = s.lanes, sp = s.lane_spacing;
  // field[row * stride + lane * spacing] (or lane blocks lane_bytes apart) -> [lane][row],
  // the results file's order.
  auto gather = [&](auto* field, int64_t rows, auto& dst) {
    using T = std::remove_pointer_t<decltype(field)>;
    const int64_t lane_step = s.lane_bytes > 0 ? s.lane_bytes : sp * static_cast<int64_t>(sizeof(T));
    dst.resize(static_cast<size_t>(n * rows));
    for (int64_t l = 0; l < n; ++l) {
      const T* lane = reinterpret_cast<const T*>(reinterpret_cast<const unsigned char*>(field) + l * lane_step);
      for (int64_t r = 0; r < rows; ++r) dst[l * rows + r] = lane[r * stride];
    }
  };
  out.lanes = n;
  gather(s.produced, 1, out.produced);
  gather(s.events, 1, out.events);
  gather(s.stalled_at, 1, out.stalled_at);
  gather(s.lead_sum, 1, out.lead_sum);
  gather(s.wip_area, 1, out.wip_area);
  gather(s.overflow, 1, out.overflow);
  gather(s.st_acc, St * K, out.st_acc);
  gather(s.buf_area, B, out.buf_area);
  gather(s.src_released, E, out.src_released);
  gather(s.src_lost, E, out.src_lost);
  gather(s.st_done, St * P, out.st_done);
  gather(s.st_scrap, St, out.st_scrap);
  gather(s.st_rework, St, out.st_rework);
  gather(s.st_active, St, out.st_active);
  gather(s.st_periods, St, out.st_periods);
  gather(s.produced_by_part, P, out.produced_by_part);
  gather(s.lead_hist, stats::kLeadBins, out.lead_hist);
  gather(s.lead_max, 1, out.lead_max);
  gather(s.buf_max, B, out.buf_max);
  gather(s.pool_busy, O, out.pool_busy);
  gather(s.robot_busy, R, out.robot_busy);
  gather(s.phys_lost, 1, out.phys_lost);
  gather(s.phys_overflow, 1, out.phys_overflow);
  gather(s.phys_steps, 1, out.phys_steps);
}

}  // namespace plantwin
