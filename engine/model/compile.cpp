#include <algorithm>
#include <cmath>

#include "engine/model/dist_compile.h"
#include "engine/model/model.h"

namespace plantwin {

flow::FlowModel Model::view() const {
  flow::FlowModel m;
  m.n_elements = n_elements;
  m.n_slots = n_slots;
  m.n_stations = n_stations();
  m.n_buffers = n_buffers();
  m.n_timed = static_cast<int32_t>(timed.size());
  m.replications = replications;
  m.seed_lo = static_cast<uint32_t>(seed);
  m.seed_hi = static_cast<uint32_t>(seed >> 32);
  m.warmup = warmup_s;
  m.end = warmup_s + horizon_s;
  m.kind = kind.data();
  m.flags = flags.data();
  m.succ = succ.data();
  m.pred_begin = pred_begin.data();
  m.pred = pred.data();
  m.slot_begin = slot_begin.data();
  m.stat_index = stat_index.data();
  m.timed = timed.data();
  m.timed_index = timed_index.data();
  m.capacity = capacity.data();
  m.travel = travel.data();
  m.gap = gap.data();
  m.main_dist = main_dist.data();
  m.ttf_dist = ttf_dist.data();
  m.ttr_dist = ttr_dist.data();
  m.table = table.data();
  return m;
}

Model compile_model(const Scene& scene, const RunSettings& run, int32_t inf_slots) {
  Model m;
  const int32_t E = static_cast<int32_t>(scene.elements.size());
  m.n_elements = E;
  m.replications = static_cast<int32_t>(run.replications);
  m.seed = run.seed;
  m.warmup_s = run.warmup_s;
  m.horizon_s = run.horizon_s;
  m.inf_slots = inf_slots;
  m.n_variants = 1;  // the variants block comes with the batch issue; variant 0 is the scene as written

  m.kind.resize(E);
  m.flags.resize(E);
  m.succ.resize(E);
  m.stat_index.assign(E, -1);
  m.capacity.resize(E);
  m.travel.assign(E, 0);
  m.gap.assign(E, 0);
  m.main_dist.assign(E, Dist{});
  m.ttf_dist.assign(E, Dist{});
  m.ttr_dist.assign(E, Dist{});
  m.slot_begin.assign(E + 1, 0);

  for (int32_t e = 0; e < E; ++e) {
    const Element& el = scene.elements[e];
    m.succ[e] = el.succ;
    uint8_t f = 0;
    int32_t slots = 0;
    switch (el.type) {
      case ElementType::Source:
        m.kind[e] = flow::kSource;
        m.sources.push_back(e);
        if (el.saturated) f |= flow::kSaturated;
        else m.main_dist[e] = compile_dist(el.interarrival, m.table);
        if (el.discard_when_blocked) f |= flow::kDiscard;
        m.capacity[e] = el.limit < 0 ? flow::kUnlimited : el.limit;
        if (!el.saturated) m.timed.push_back(e);
        break;
      case ElementType::Station:
        m.kind[e] = flow::kStation;
        m.stat_index[e] = static_cast<int32_t>(m.stations.size());
        m.stations.push_back(e);
        m.capacity[e] = el.servers;
        m.main_dist[e] = compile_dist(el.process, m.table);
        if (el.has_failures) {
          f |= flow::kFailures;
          m.ttf_dist[e] = compile_dist(el.mtbf, m.table);
          m.ttr_dist[e] = compile_dist(el.mttr, m.table);
        }
        slots = static_cast<int32_t>(el.servers);
        m.timed.push_back(e);
        break;
      case ElementType::Buffer:
        m.kind[e] = flow::kBuffer;
        m.stat_index[e] = static_cast<int32_t>(m.buffers.size());
        m.buffers.push_back(e);
        if (el.infinite) {
          f |= flow::kInfinite;
          m.capacity[e] = flow::kUnlimited;
          slots = inf_slots;
        } else {
          m.capacity[e] = el.capacity;
          slots = static_cast<int32_t>(std::max<int64_t>(el.capacity, 1));  // capacity 0 passes parts through one slot
        }
        break;
      case ElementType::Conveyor: {
        m.kind[e] = flow::kConveyor;
        if (el.accumulating) f |= flow::kAccumulating;
        // floor(length / spacing), forgiving the rounding of decimal inputs (0.3 / 0.1 is 2.999...).
        int64_t cap = std::max<int64_t>(1, static_cast<int64_t>(std::floor(el.length_m / el.spacing_m * (1 + 1e-12))));
        m.capacity[e] = cap;
        m.travel[e] = el.length_m / el.speed_mps;
        m.gap[e] = el.spacing_m / el.speed_mps;
        slots = static_cast<int32_t>(cap);
        m.timed.push_back(e);
        break;
      }
      case ElementType::Sink:
        m.kind[e] = flow::kSink;
        m.capacity[e] = 0;
        break;
    }
    m.flags[e] = f;
    m.slot_begin[e + 1] = m.slot_begin[e] + slots;
  }
  m.n_slots = m.slot_begin[E];
  std::sort(m.timed.begin(), m.timed.end());
  m.timed_index.assign(E, -1);
  for (size_t i = 0; i < m.timed.size(); ++i) m.timed_index[m.timed[i]] = static_cast<int32_t>(i);

  // Predecessor lists in ascending element order (ties in "longest waiting" go to the lower index).
  m.pred_begin.assign(E + 1, 0);
  for (int32_t e = 0; e < E; ++e)
    if (m.succ[e] >= 0) m.pred_begin[m.succ[e] + 1]++;
  for (int32_t e = 0; e < E; ++e) m.pred_begin[e + 1] += m.pred_begin[e];
  m.pred.resize(m.pred_begin[E]);
  std::vector<int32_t> fill(m.pred_begin.begin(), m.pred_begin.end() - 1);
  for (int32_t e = 0; e < E; ++e)
    if (m.succ[e] >= 0) m.pred[fill[m.succ[e]]++] = e;
  return m;
}

}  // namespace plantwin
