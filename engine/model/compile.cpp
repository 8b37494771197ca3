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
  m.first_replication = first_replication;
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

namespace {

// Row v of the per-variant parameters from that variant's scene; returns the part slots each
// element needs in it.
std::vector<int32_t> compile_row(const Scene& scene, int32_t v, int32_t inf_slots, Model& m) {
  const int32_t E = m.n_elements;
  std::vector<int32_t> slots(E, 0);
  for (int32_t e = 0; e < E; ++e) {
    const Element& el = scene.elements[e];
    const size_t at = static_cast<size_t>(v) * E + e;
    switch (el.type) {
      case ElementType::Source:
        if (!el.saturated) m.main_dist[at] = compile_dist(el.interarrival, m.table);
        m.capacity[at] = el.limit < 0 ? flow::kUnlimited : el.limit;
        break;
      case ElementType::Station:
        m.capacity[at] = el.servers;
        m.main_dist[at] = compile_dist(el.process, m.table);
        if (el.has_failures) {
          m.ttf_dist[at] = compile_dist(el.mtbf, m.table);
          m.ttr_dist[at] = compile_dist(el.mttr, m.table);
        }
        slots[e] = static_cast<int32_t>(el.servers);
        break;
      case ElementType::Buffer:
        m.capacity[at] = el.infinite ? flow::kUnlimited : el.capacity;
        // An infinite buffer keeps a ring of inf_slots; capacity 0 passes parts through one slot.
        slots[e] = el.infinite ? inf_slots : static_cast<int32_t>(std::max<int64_t>(el.capacity, 1));
        break;
      case ElementType::Conveyor: {
        // floor(length / spacing), forgiving the rounding of decimal inputs (0.3 / 0.1 is 2.999...).
        int64_t cap = std::max<int64_t>(1, static_cast<int64_t>(std::floor(el.length_m / el.spacing_m * (1 + 1e-12))));
        m.capacity[at] = cap;
        m.travel[at] = el.length_m / el.speed_mps;
        m.gap[at] = el.spacing_m / el.speed_mps;
        slots[e] = static_cast<int32_t>(cap);
        break;
      }
      case ElementType::Sink:
        m.capacity[at] = 0;
        break;
    }
  }
  return slots;
}

}  // namespace

Model compile_model(const Scene& scene, const RunSettings& run, int32_t inf_slots) {
  return compile_model(std::vector<Scene>{scene}, run, inf_slots);
}

Model compile_model(const std::vector<Scene>& variants, const RunSettings& run, int32_t inf_slots) {
  Model m;
  const Scene& scene = variants.front();  // the element graph is the same in every variant
  const int32_t E = static_cast<int32_t>(scene.elements.size());
  const int32_t V = static_cast<int32_t>(variants.size());
  m.n_elements = E;
  m.n_variants = V;
  m.replications = static_cast<int32_t>(run.replications);
  m.seed = run.seed;
  m.warmup_s = run.warmup_s;
  m.horizon_s = run.horizon_s;
  m.inf_slots = inf_slots;

  m.kind.resize(E);
  m.flags.resize(E);
  m.succ.resize(E);
  m.stat_index.assign(E, -1);
  const size_t rows = static_cast<size_t>(V) * E;
  m.capacity.assign(rows, 0);
  m.travel.assign(rows, 0);
  m.gap.assign(rows, 0);
  m.main_dist.assign(rows, Dist{});
  m.ttf_dist.assign(rows, Dist{});
  m.ttr_dist.assign(rows, Dist{});

  for (int32_t e = 0; e < E; ++e) {
    const Element& el = scene.elements[e];
    m.succ[e] = el.succ;
    uint8_t f = 0;
    switch (el.type) {
      case ElementType::Source:
        m.kind[e] = flow::kSource;
        m.sources.push_back(e);
        if (el.saturated) f |= flow::kSaturated;
        else m.timed.push_back(e);
        if (el.discard_when_blocked) f |= flow::kDiscard;
        break;
      case ElementType::Station:
        m.kind[e] = flow::kStation;
        m.stat_index[e] = static_cast<int32_t>(m.stations.size());
        m.stations.push_back(e);
        if (el.has_failures) f |= flow::kFailures;
        m.timed.push_back(e);
        break;
      case ElementType::Buffer:
        m.kind[e] = flow::kBuffer;
        m.stat_index[e] = static_cast<int32_t>(m.buffers.size());
        m.buffers.push_back(e);
        if (el.infinite) f |= flow::kInfinite;
        break;
      case ElementType::Conveyor:
        m.kind[e] = flow::kConveyor;
        if (el.accumulating) f |= flow::kAccumulating;
        m.timed.push_back(e);
        break;
      case ElementType::Sink:
        m.kind[e] = flow::kSink;
        break;
    }
    m.flags[e] = f;
  }
  // Slots: the most any variant needs (a variant with fewer servers leaves the rest idle).
  std::vector<int32_t> slots(E, 0);
  for (int32_t v = 0; v < V; ++v) {
    std::vector<int32_t> need = compile_row(variants[v], v, inf_slots, m);
    for (int32_t e = 0; e < E; ++e) slots[e] = std::max(slots[e], need[e]);
  }
  m.slot_begin.assign(E + 1, 0);
  for (int32_t e = 0; e < E; ++e) m.slot_begin[e + 1] = m.slot_begin[e] + slots[e];
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
