#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <set>

#include "engine/model/dist_compile.h"
#include "engine/model/model.h"
#include "engine/physics/coupling_build.h"

namespace plantwin {

flow::FlowDims Model::dims() const {
  flow::FlowDims d;
  d.E = n_elements;
  d.T = static_cast<int64_t>(timed.size());
  d.S = n_slots;
  d.N = n_servers;
  d.M = max_modes;
  d.St = n_stations();
  d.B = n_buffers();
  d.O = static_cast<int64_t>(pools.size());
  d.R = static_cast<int64_t>(robots.size());
  d.P = n_parts;
  return d;
}

flow::FlowModel Model::view() const {
  return bind([](const auto& v) { return v.data(); });
}

double trapezoid_time(double distance_m, double speed_mps, double accel_mps2) {
  if (distance_m <= 0) return 0;
  // Accelerating to top speed and braking from it take v^2/a metres together.
  if (distance_m >= speed_mps * speed_mps / accel_mps2) return distance_m / speed_mps + speed_mps / accel_mps2;
  return 2.0 * std::sqrt(distance_m / accel_mps2);  // a triangle: top speed never reached
}

namespace {

// Cumulative probabilities from weights; from the last positive weight on, exactly 1 so that a
// uniform in (0, 1) always finds an entry with positive weight.
std::vector<double> cumulative(const std::vector<double>& w) {
  std::vector<double> c(w.size(), 0.0);
  double total = 0;
  for (double x : w) total += x;
  double run = 0;
  size_t last = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    run += w[i] / total;
    c[i] = run;
    if (w[i] > 0) last = i;
  }
  for (size_t i = last; i < w.size(); ++i) c[i] = 1.0;
  return c;
}

// Shift changes of a calendar within one period: times in [0, period) where working starts or
// stops, alternating (neighbours with the same state are merged away).
void compile_calendar(const Calendar& cal, Model& m) {
  const double P = cal.period_s;
  auto working = [&](double t) {
    for (const auto& w : cal.work)
      if (t >= w.first && t < w.second) return true;
    return false;
  };
  std::set<double> cuts{0.0};
  for (const auto& w : cal.work) {
    cuts.insert(std::fmod(w.first, P));
    cuts.insert(std::fmod(w.second, P));
  }
  std::vector<std::pair<double, bool>> pts;
  for (double t : cuts) pts.push_back({t, working(t)});
  // Keep a point only where the state differs from the one before it (cyclically).
  std::vector<std::pair<double, bool>> keep;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool before = pts[(i + pts.size() - 1) % pts.size()].second;
    if (pts[i].second != before) keep.push_back(pts[i]);
  }
  for (const auto& p : keep) {
    m.cal_t.push_back(p.first);
    m.cal_on.push_back(p.second ? 1 : 0);
  }
  m.cal_period.push_back(P);
  m.cal_begin.push_back(static_cast<int32_t>(m.cal_t.size()));
}

struct DistLayout {
  std::vector<int32_t> proc_at, setup_at;   // [E]
  std::vector<int32_t> mode_ttf_at, mode_ttr_at;  // [modes]
  int32_t n = 0;
};

// Row v of the per-variant parameters from that variant's scene; returns the part slots each
// element needs in it.
std::vector<int32_t> compile_row(const Scene& scene, int32_t v, int32_t inf_slots, Model& m) {
  const int32_t E = m.n_elements, P = m.n_parts;
  std::vector<int32_t> slots(E, 0);
  Dist* row = m.dists.data() + static_cast<size_t>(v) * m.n_dists;
  for (int32_t e = 0; e < E; ++e) {
    const Element& el = scene.elements[e];
    const size_t at = static_cast<size_t>(v) * E + e;
    switch (el.type) {
      case ElementType::Source:
        if (!el.saturated) m.main_dist[at] = compile_dist(el.interarrival, m.table);
        m.capacity[at] = el.limit < 0 ? flow::kUnlimited : el.limit;
        slots[e] = 1;
        break;
      case ElementType::Station:
      case ElementType::Assembly:
      case ElementType::Split: {
        m.capacity[at] = el.servers;
        double* ideal = m.ideal_s.data() + at * P;
        if (el.process_by_part.empty()) {
          row[m.proc_at[e]] = compile_dist(el.process, m.table);
          for (int32_t p = 0; p < P; ++p) ideal[p] = dist_mean(el.process);
        } else {
          for (int32_t p = 0; p < P; ++p) {
            row[m.proc_at[e] + p] = compile_dist(el.process_by_part[p], m.table);
            ideal[p] = dist_mean(el.process_by_part[p]);
          }
        }
        if (el.has_setup) {
          if (el.setup_by_pair)
            for (int32_t k = 0; k < P * P; ++k) row[m.setup_at[e] + k] = compile_dist(el.setup_table[k], m.table);
          else
            row[m.setup_at[e]] = compile_dist(el.setup, m.table);
        }
        for (size_t k = 0; k < el.failures.size(); ++k) {
          const int32_t g = m.mode_begin[e] + static_cast<int32_t>(k);
          row[m.mode_ttf_at[g]] = compile_dist(el.failures[k].mtbf, m.table);
          row[m.mode_ttr_at[g]] = compile_dist(el.failures[k].mttr, m.table);
        }
        m.scrap_p[at] = el.scrap_p;
        m.rework_p[at] = el.rework_p;
        slots[e] = static_cast<int32_t>(el.servers);
        break;
      }
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
      case ElementType::Operators:
        m.capacity[at] = el.count;
        break;
      case ElementType::Robot: {
        m.travel[at] = el.grip_s;
        m.gap[at] = el.release_s;
        // Travel times between the robot's points over straight lines (positions of this variant).
        const int32_t r = m.stat_index[e];
        const int32_t n = m.rb_points[r];
        std::vector<Eigen::Vector3d> pts(static_cast<size_t>(n));
        pts[0] = Eigen::Vector3d(el.at[0], el.at[1], el.at[2]);
        for (int32_t k = m.tr_begin[r]; k < m.tr_begin[r + 1]; ++k) {
          const Vec3& a = scene.elements[m.tr_from[k]].at;
          const Vec3& b = scene.elements[m.tr_to[k]].at;
          pts[m.tr_from_pt[k]] = Eigen::Vector3d(a[0], a[1], a[2]);
          pts[m.tr_to_pt[k]] = Eigen::Vector3d(b[0], b[1], b[2]);
        }
        double* tab = m.travel_tab.data() + static_cast<size_t>(v) * m.n_travel + m.rb_travel_at[r];
        for (int32_t i = 0; i < n; ++i)
          for (int32_t j = 0; j < n; ++j)
            tab[i * n + j] = trapezoid_time((pts[i] - pts[j]).norm(), el.speed_mps_robot, el.accel_mps2);
        break;
      }
    }
  }
  return slots;
}

// Structure shared by every variant: kinds, flags, edges, routing, distribution layout, robots.
void compile_structure(const Scene& scene, Model& m) {
  const int32_t E = m.n_elements, P = m.n_parts;
  m.kind.resize(E);
  m.flags.assign(E, 0);
  m.succ.resize(E);
  m.stat_index.assign(E, -1);
  m.routing.assign(E, flow::kRouteSingle);
  m.n_route.assign(E, 0);
  m.part_route.assign(static_cast<size_t>(E) * P, -1);
  m.from_robot.assign(E, -1);
  m.out_part.assign(E, 0);
  m.mix_cum.assign(static_cast<size_t>(E) * P, 0.0);
  m.seq_begin.assign(1, 0);
  m.proc_at.assign(E, 0);
  m.setup_at.assign(E, 0);
  m.mode_begin.assign(1, 0);
  m.rework_to.assign(E, -1);
  m.proc_pool.assign(E, -1);
  m.setup_pool.assign(E, -1);
  m.bom.assign(static_cast<size_t>(E) * P, 0);
  m.base_input.assign(E, -1);
  m.split_begin.assign(1, 0);
  m.shift_of.assign(E, -1);
  m.succ_begin.assign(1, 0);

  std::vector<int32_t> pool_index(E, -1);
  for (int32_t e = 0; e < E; ++e)
    if (scene.elements[e].type == ElementType::Operators) {
      pool_index[e] = static_cast<int32_t>(m.pools.size());
      m.pools.push_back(e);
    }
  m.pool_elem = m.pools;
  auto pool_of = [&](int el) { return el < 0 ? -1 : pool_index[el]; };

  // Calendars in use (a calendar nobody follows is not compiled).
  std::vector<int32_t> cal_index(scene.calendars.size(), -1);
  m.cal_begin.assign(1, 0);

  for (int32_t e = 0; e < E; ++e) {
    const Element& el = scene.elements[e];
    m.succ[e] = el.succ;
    uint32_t f = 0;
    switch (el.type) {
      case ElementType::Source:
        m.kind[e] = flow::kSource;
        m.sources.push_back(e);
        if (el.saturated) f |= flow::kSaturated;
        else m.timed.push_back(e);
        if (el.discard_when_blocked) f |= flow::kDiscard;
        m.out_part[e] = el.part;
        if (!el.mix.empty()) {
          f |= flow::kMix;
          std::vector<double> c = cumulative(el.mix);
          std::copy(c.begin(), c.end(), m.mix_cum.begin() + static_cast<size_t>(e) * P);
        } else if (!el.sequence.empty()) {
          f |= flow::kSequence;
        }
        break;
      case ElementType::Station:
      case ElementType::Assembly:
      case ElementType::Split:
        m.kind[e] = flow::kStation;
        m.stat_index[e] = static_cast<int32_t>(m.stations.size());
        m.stations.push_back(e);
        m.timed.push_back(e);
        if (!el.failures.empty()) f |= flow::kFailures;
        if (el.type == ElementType::Assembly) {
          f |= flow::kAssembly;
          m.out_part[e] = el.part;
          m.base_input[e] = el.base_input;
          for (int32_t p = 0; p < P && p < static_cast<int32_t>(el.inputs.size()); ++p)
            m.bom[static_cast<size_t>(e) * P + p] = static_cast<int32_t>(el.inputs[p]);
        }
        if (el.type == ElementType::Split) f |= flow::kSplit;
        if (!el.process_by_part.empty()) f |= flow::kByPart;
        if (el.has_setup) f |= flow::kSetups | (el.setup_by_pair ? flow::kSetupTable : 0u);
        if (el.scrap_p > 0 || el.rework_p > 0 || el.rework_to >= 0) f |= flow::kQuality;
        if (el.shift >= 0) {
          int32_t& c = cal_index[el.shift];
          if (c == -1 && !scene.calendars[el.shift].work.empty()) {
            const size_t before = m.cal_t.size();
            compile_calendar(scene.calendars[el.shift], m);
            if (m.cal_t.size() == before) {  // works the whole period: no shift changes at all
              m.cal_period.pop_back();
              m.cal_begin.pop_back();
              c = -2;
            } else {
              c = static_cast<int32_t>(m.cal_period.size()) - 1;
            }
          }
          if (c >= 0) {
            m.shift_of[e] = c;
            f |= flow::kShift;
          }
        }
        m.proc_pool[e] = pool_of(el.process_pool);
        m.setup_pool[e] = pool_of(el.setup_pool);
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
        if (el.physical) f |= flow::kPhysical;
        m.timed.push_back(e);
        break;
      case ElementType::Sink:
        m.kind[e] = flow::kSink;
        break;
      case ElementType::Operators:
        m.kind[e] = flow::kOperators;
        m.stat_index[e] = pool_index[e];
        break;
      case ElementType::Robot:
        m.kind[e] = flow::kRobot;
        m.stat_index[e] = static_cast<int32_t>(m.robots.size());
        m.robots.push_back(e);
        m.timed.push_back(e);
        break;
    }
    // Successors: `to` in order, then a rework target that is not among them.
    for (int s : el.to) m.succ_list.push_back(s);
    m.n_route[e] = static_cast<int32_t>(el.to.size());
    if (el.rework_to >= 0 && std::find(el.to.begin(), el.to.end(), el.rework_to) == el.to.end())
      m.succ_list.push_back(el.rework_to);
    m.rework_to[e] = el.rework_to;
    m.succ_begin.push_back(static_cast<int32_t>(m.succ_list.size()));
    switch (el.routing) {
      case Routing::Single: break;
      case Routing::RoundRobin: m.routing[e] = flow::kRouteRoundRobin; break;
      case Routing::ShortestQueue: m.routing[e] = flow::kRouteShortestQueue; break;
      case Routing::Probability: m.routing[e] = flow::kRouteProbability; break;
      case Routing::ByPart: m.routing[e] = flow::kRouteByPart; break;
    }
    std::vector<double> cum = el.routing == Routing::Probability ? cumulative(el.weights) : std::vector<double>();
    for (size_t k = 0; k < el.to.size(); ++k) m.route_cum.push_back(k < cum.size() ? cum[k] : 0.0);
    if (el.rework_to >= 0 && m.succ_begin.back() - m.succ_begin[e] > static_cast<int32_t>(el.to.size()))
      m.route_cum.push_back(0.0);
    for (int32_t p = 0; p < P && p < static_cast<int32_t>(el.part_routes.size()); ++p)
      m.part_route[static_cast<size_t>(e) * P + p] = el.part_routes[p];
    if (m.routing[e] != flow::kRouteSingle || el.rework_to >= 0) f |= flow::kRouted;

    for (int t : el.sequence) m.seq.push_back(t);
    m.seq_begin.push_back(static_cast<int32_t>(m.seq.size()));
    for (int t : el.outputs) m.split_seq.push_back(t);
    m.split_begin.push_back(static_cast<int32_t>(m.split_seq.size()));

    // Failure modes and where each station's distributions sit in a variant's row.
    if (is_station_like(el.type)) {
      m.proc_at[e] = m.n_dists;
      m.n_dists += el.process_by_part.empty() ? 1 : P;
      if (el.has_setup) {
        m.setup_at[e] = m.n_dists;
        m.n_dists += el.setup_by_pair ? P * P : 1;
      }
      for (const FailureMode& fm : el.failures) {
        m.mode_ttf_at.push_back(m.n_dists++);
        m.mode_ttr_at.push_back(m.n_dists++);
        m.mode_pool.push_back(pool_of(fm.repair_pool));
        m.mode_calendar.push_back(fm.calendar ? 1 : 0);
        if (fm.repair_pool >= 0) f |= flow::kPooled;
      }
      m.max_modes = std::max<int32_t>(m.max_modes, static_cast<int32_t>(el.failures.size()));
      if (m.proc_pool[e] >= 0 || m.setup_pool[e] >= 0) f |= flow::kPooled;
    }
    m.mode_begin.push_back(static_cast<int32_t>(m.mode_ttf_at.size()));
    m.flags[e] = f;
  }

  // Robots: point 0 is the base; then each element a transfer touches, in order of appearance.
  m.tr_begin.assign(1, 0);
  for (int32_t e : m.robots) {
    const Element& el = scene.elements[e];
    std::vector<int32_t> pts;  // element of each point after the base
    auto point = [&](int32_t x) {
      auto it = std::find(pts.begin(), pts.end(), x);
      if (it != pts.end()) return static_cast<int32_t>(it - pts.begin()) + 1;
      pts.push_back(x);
      return static_cast<int32_t>(pts.size());
    };
    for (const RobotTransfer& t : el.transfers) {
      m.tr_from.push_back(t.from);
      m.tr_to.push_back(t.to);
      m.tr_from_pt.push_back(point(t.from));
      m.tr_to_pt.push_back(point(t.to));
      m.from_robot[t.from] = e;
    }
    m.tr_begin.push_back(static_cast<int32_t>(m.tr_from.size()));
    const int32_t n = static_cast<int32_t>(pts.size()) + 1;
    m.rb_points.push_back(n);
    m.rb_travel_at.push_back(m.n_travel);
    m.n_travel += n * n;
  }
  // Kernels index these arrays unconditionally: never leave one empty (null data()).
  for (auto* v : {&m.tr_from, &m.tr_to, &m.tr_from_pt, &m.tr_to_pt, &m.rb_points, &m.rb_travel_at, &m.pool_elem,
                  &m.seq, &m.split_seq, &m.mode_ttf_at, &m.mode_ttr_at, &m.mode_pool, &m.succ_list})
    if (v->empty()) v->push_back(0);
  if (m.mode_calendar.empty()) m.mode_calendar.push_back(0);
  if (m.cal_t.empty()) {
    m.cal_t.push_back(0);
    m.cal_on.push_back(0);
    m.cal_period.push_back(1);
  }
  if (m.route_cum.empty()) m.route_cum.push_back(0);
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
  m.n_parts = std::max<int32_t>(1, static_cast<int32_t>(scene.parts.size()));
  m.replications = static_cast<int32_t>(run.replications);
  m.seed = run.seed;
  m.warmup_s = run.warmup_s;
  m.horizon_s = run.horizon_s;
  m.inf_slots = inf_slots;

  compile_structure(scene, m);

  const size_t rows = static_cast<size_t>(V) * E;
  m.capacity.assign(rows, 0);
  m.travel.assign(rows, 0);
  m.gap.assign(rows, 0);
  m.scrap_p.assign(rows, 0);
  m.rework_p.assign(rows, 0);
  m.main_dist.assign(rows, Dist{});
  m.ideal_s.assign(rows * m.n_parts, 0.0);
  m.dists.assign(static_cast<size_t>(V) * std::max<int32_t>(1, m.n_dists), Dist{});
  m.travel_tab.assign(static_cast<size_t>(V) * std::max<int32_t>(1, m.n_travel), 0.0);
  if (m.n_dists == 0) m.n_dists = 1;
  if (m.n_travel == 0) m.n_travel = 1;

  // Slots: the most any variant needs (a variant with fewer servers leaves the rest idle).
  std::vector<int32_t> slots(E, 0);
  for (int32_t v = 0; v < V; ++v) {
    std::vector<int32_t> need = compile_row(variants[v], v, inf_slots, m);
    for (int32_t e = 0; e < E; ++e) slots[e] = std::max(slots[e], need[e]);
  }
  // A variant may give scrap where the baseline has none: such stations draw quality too.
  for (int32_t e = 0; e < E; ++e)
    for (int32_t v = 0; v < V; ++v) {
      const size_t at = static_cast<size_t>(v) * E + e;
      if (m.scrap_p[at] > 0 || m.rework_p[at] > 0) m.flags[e] |= flow::kQuality;
    }
  // Servers take the first slots, so that server-only state rows stop at n_servers.
  m.slot_first.assign(E, 0);
  m.slot_end.assign(E, 0);
  int32_t next = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int32_t e = 0; e < E; ++e) {
      if ((m.kind[e] == flow::kStation) != (pass == 0)) continue;
      m.slot_first[e] = next;
      next += slots[e];
      m.slot_end[e] = next;
      if (pass == 0) m.n_servers = next;
    }
  m.n_slots = next;
  std::sort(m.timed.begin(), m.timed.end());
  m.timed_index.assign(E, -1);
  for (size_t i = 0; i < m.timed.size(); ++i) m.timed_index[m.timed[i]] = static_cast<int32_t>(i);

  // Predecessor lists over every edge, in ascending element order (ties in "longest waiting"
  // go to the lower index).
  std::vector<std::vector<int32_t>> preds(E);
  for (int32_t e = 0; e < E; ++e)
    for (int32_t k = m.succ_begin[e]; k < m.succ_begin[e + 1]; ++k) {
      auto& p = preds[m.succ_list[k]];
      if (std::find(p.begin(), p.end(), e) == p.end()) p.push_back(e);
    }
  m.pred_begin.assign(1, 0);
  for (int32_t e = 0; e < E; ++e) {
    std::sort(preds[e].begin(), preds[e].end());
    m.pred.insert(m.pred.end(), preds[e].begin(), preds[e].end());
    m.pred_begin.push_back(static_cast<int32_t>(m.pred.size()));
  }
  if (m.pred.empty()) m.pred.push_back(0);
  if (scene.has_physical_conveyor())
    m.coupling = std::make_shared<const physics::CouplingData>(physics::build_coupling(variants, m));
  m.plain = is_plain(m);
  return m;
}

}  // namespace plantwin
