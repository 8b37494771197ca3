#include "engine/scene/flow_lint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "engine/model/dist_compile.h"
#include "engine/scene/units.h"

namespace plantwin {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Three significant digits: the estimates are no more precise than that.
double round3(double v) {
  if (!(v > 0) || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 2 - std::floor(std::log10(v)));
  return std::round(v * scale) / scale;
}

std::string per_hour(double parts_per_s) {
  char text[64];
  std::snprintf(text, sizeof text, "%g parts/h", round3(parts_per_s * 3600));
  return text;
}

// The elements in reverse postorder of a depth-first search from the sources (then from any
// element not reached): every edge that is not part of a cycle points forward in it.
struct FlowOrder {
  std::vector<int> order;  // element indices
  std::vector<size_t> pos;  // [E] each element's place in `order`
};

FlowOrder flow_order(const Scene& scene) {
  const int E = static_cast<int>(scene.elements.size());
  std::vector<char> state(static_cast<size_t>(E), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<int> post;
  post.reserve(static_cast<size_t>(E));
  std::vector<std::pair<int, size_t>> stack;  // element, next successor to visit (iterative:
                                              // a scene may chain 100,000 elements)
  auto visit = [&](int root) {
    if (state[static_cast<size_t>(root)]) return;
    stack.push_back({root, 0});
    state[static_cast<size_t>(root)] = 1;
    while (!stack.empty()) {
      auto& [cur, next] = stack.back();
      const std::vector<int> succ = flow_successors(scene.elements[static_cast<size_t>(cur)]);
      if (next < succ.size()) {
        const int j = succ[next++];
        if (!state[static_cast<size_t>(j)]) {
          state[static_cast<size_t>(j)] = 1;
          stack.push_back({j, 0});
        }
      } else {
        state[static_cast<size_t>(cur)] = 2;
        post.push_back(cur);
        stack.pop_back();
      }
    }
  };
  for (int i = 0; i < E; ++i)
    if (scene.elements[static_cast<size_t>(i)].type == ElementType::Source) visit(i);
  for (int i = 0; i < E; ++i) visit(i);
  std::reverse(post.begin(), post.end());
  FlowOrder f{std::move(post), std::vector<size_t>(static_cast<size_t>(E))};
  for (size_t k = 0; k < f.order.size(); ++k) f.pos[static_cast<size_t>(f.order[k])] = k;
  return f;
}

// Mean process time of a station-like element: the slowest part type's (the lowest rate, so
// that a rate estimate errs towards not warning), or the fastest's for the fill time.
double process_mean(const Element& e, bool slowest) {
  if (e.process_by_part.empty()) return dist_mean(e.process);
  double t = slowest ? 0.0 : kInf;
  for (const DistSpec& d : e.process_by_part) {
    const double m = dist_mean(d);
    if (m <= 0) continue;  // a part type that never reaches it
    t = slowest ? std::max(t, m) : std::min(t, m);
  }
  return std::isfinite(t) ? t : 0.0;
}

// Operations per second a station-like element completes at most, in the long run: servers
// over the mean process time, times the fraction of time it is up (each failure mode's
// mtbf / (mtbf + mttr)) and on shift. Setups and shared operators are not counted.
double operation_rate(const Scene& scene, const Element& e) {
  const double t = process_mean(e, true);
  if (!(t > 0)) return kInf;
  double rate = static_cast<double>(e.servers) / t;
  for (const FailureMode& f : e.failures) {
    const double up = dist_mean(f.mtbf), down = dist_mean(f.mttr);
    if (up + down > 0) rate *= up / (up + down);
  }
  if (e.shift >= 0) {
    const Calendar& c = scene.calendars[static_cast<size_t>(e.shift)];
    double work = 0;
    for (const auto& [a, b] : c.work) work += b - a;
    if (c.period_s > 0) rate *= work / c.period_s;
  }
  return rate;
}

// Parts an element consumes per operation (an assembly its bill of materials, else one).
double parts_per_operation(const Element& e) {
  if (e.type != ElementType::Assembly) return 1.0;
  double n = 0;
  for (int64_t k : e.inputs) n += static_cast<double>(k);
  return n > 0 ? n : 1.0;
}

double conveyor_rate(const Element& e) { return e.spacing_m > 0 ? e.speed_mps / e.spacing_m : kInf; }

// Parts per second a station-like element or a conveyor can take in (a station's rate in
// input parts); +inf for a sink.
double intake_rate(const Scene& scene, const Element& e) {
  if (is_station_like(e.type)) return operation_rate(scene, e) * parts_per_operation(e);
  if (e.type == ElementType::Conveyor) return conveyor_rate(e);
  return kInf;
}

// Parts per second the successors of `e` can take in together, looking through buffers to
// what they feed (each element counted once).
double successors_intake(const Scene& scene, const Element& e) {
  std::vector<int> stack = flow_successors(e);
  std::set<int> seen;
  double sum = 0;
  while (!stack.empty()) {
    const int j = stack.back();
    stack.pop_back();
    if (!seen.insert(j).second) continue;
    const Element& s = scene.elements[static_cast<size_t>(j)];
    if (s.type != ElementType::Buffer) sum += intake_rate(scene, s);
    else
      for (int k : flow_successors(s)) stack.push_back(k);
  }
  return sum;
}

// The share of an element's output that goes to its k-th successor in `to`.
double route_share(const Element& e, size_t k) {
  switch (e.routing) {
    case Routing::Single: return 1.0;
    case Routing::Probability: return e.weights[k];
    case Routing::RoundRobin:
    case Routing::ShortestQueue: return 1.0 / static_cast<double>(e.to.size());
    case Routing::ByPart: {
      // Part types routed there over part types routed anywhere (the mix is not known here).
      double here = 0, all = 0;
      for (int s : e.part_routes) {
        all += s >= 0;
        here += s == e.to[k];
      }
      return all > 0 ? here / all : 0.0;
    }
  }
  return 0.0;
}

std::vector<double> arrival_rates(const Scene& scene, const FlowOrder& flow) {
  const size_t E = scene.elements.size();
  const std::vector<int>& order = flow.order;
  const std::vector<size_t>& pos = flow.pos;
  std::vector<double> in(E, 0.0), back(E, 0.0);
  // One pass in flow order is exact without cycles. Rework loops feed parts back: each pass
  // adds one more round trip (from below, so the estimate never exceeds the true flow), until
  // the rates settle to 1e-9 or 200 passes (a loop that returns 90 % of its parts needs ~200).
  for (int pass = 0; pass < 200; ++pass) {
    std::vector<double> next_back(E, 0.0);
    std::fill(in.begin(), in.end(), 0.0);
    for (int i : order) {
      const Element& e = scene.elements[static_cast<size_t>(i)];
      const double arriving = in[static_cast<size_t>(i)] + back[static_cast<size_t>(i)];
      double out = 0, rework = 0;
      switch (e.type) {
        case ElementType::Source:
          out = e.saturated ? kInf : dist_mean(e.interarrival) > 0 ? 1.0 / dist_mean(e.interarrival) : kInf;
          break;
        case ElementType::Station:
        case ElementType::Assembly:
        case ElementType::Split: {
          const double ops = std::min(operation_rate(scene, e), arriving / parts_per_operation(e));
          const double made = e.type == ElementType::Split ? ops * static_cast<double>(e.outputs.size()) : ops;
          out = made * std::max(0.0, 1.0 - e.scrap_p - e.rework_p);
          rework = made * e.rework_p;
          break;
        }
        case ElementType::Conveyor: out = std::min(arriving, conveyor_rate(e)); break;
        case ElementType::Buffer: out = arriving; break;
        default: break;  // sinks, operators and robots pass nothing on
      }
      auto send = [&](int j, double rate) {
        if (!(rate > 0)) return;  // also keeps 0 x inf from making a NaN
        if (pos[static_cast<size_t>(j)] > pos[static_cast<size_t>(i)]) in[static_cast<size_t>(j)] += rate;
        else next_back[static_cast<size_t>(j)] += rate;
      };
      for (size_t k = 0; k < e.to.size(); ++k) {
        const double share = route_share(e, k);
        if (share > 0) send(e.to[k], out * share);
      }
      if (e.rework_to >= 0) send(e.rework_to, rework);
    }
    bool settled = true;
    for (size_t i = 0; i < E && settled; ++i)
      settled = next_back[i] == back[i] || (std::isfinite(next_back[i]) && std::isfinite(back[i]) &&
                                            std::fabs(next_back[i] - back[i]) <= 1e-9 * std::fabs(next_back[i]));
    back = std::move(next_back);
    if (settled) break;
  }
  for (size_t i = 0; i < E; ++i) in[i] += back[i];
  return in;
}

FillTime fill_time(const Scene& scene, const FlowOrder& flow) {
  const size_t E = scene.elements.size();
  const std::vector<int>& order = flow.order;
  const std::vector<size_t>& pos = flow.pos;
  // done[i]: the latest time the first part can have finished at i along any route from a
  // source (the longest path over the forward edges; rework loops are not a route to fill).
  std::vector<double> done(E, -kInf);
  std::vector<int> from(E, -1);
  FillTime best;
  int best_sink = -1;
  for (int i : order) {
    const Element& e = scene.elements[static_cast<size_t>(i)];
    if (e.type == ElementType::Source) done[static_cast<size_t>(i)] = std::max(done[static_cast<size_t>(i)], 0.0);
    if (done[static_cast<size_t>(i)] == -kInf) continue;
    double own = 0;
    if (is_station_like(e.type)) own = process_mean(e, false);
    else if (e.type == ElementType::Conveyor && e.speed_mps > 0) own = e.length_m / e.speed_mps;
    const double t = done[static_cast<size_t>(i)] + own;
    if (e.type == ElementType::Sink && t > best.seconds) {
      best.seconds = t;
      best_sink = i;
    }
    for (int j : flow_successors(e))
      if (pos[static_cast<size_t>(j)] > pos[static_cast<size_t>(i)] && t > done[static_cast<size_t>(j)]) {
        done[static_cast<size_t>(j)] = t;
        from[static_cast<size_t>(j)] = i;
      }
  }
  for (int i = best_sink; i >= 0; i = from[static_cast<size_t>(i)]) best.route.push_back(i);
  std::reverse(best.route.begin(), best.route.end());
  return best;
}

}  // namespace

std::vector<double> arrival_rates(const Scene& scene) { return arrival_rates(scene, flow_order(scene)); }
FillTime fill_time(const Scene& scene) { return fill_time(scene, flow_order(scene)); }

void lint_flow(const Scene& scene, const std::string& file, Diagnostics& diag) {
  const FlowOrder flow = flow_order(scene);  // shared by both rules
  const std::vector<double> arriving = arrival_rates(scene, flow);
  const size_t E = scene.elements.size();
  for (size_t i = 0; i < E; ++i) {
    const Element& c = scene.elements[i];
    if (c.type != ElementType::Conveyor || c.physical) continue;
    const double carry = conveyor_rate(c);
    // Only a successor that itself takes time can be starved by the conveyor (a conveyor
    // straight into a sink is simply the line's pace).
    const double take = successors_intake(scene, c);
    const double wanted = std::min(arriving[i], take);
    if (!std::isfinite(take) || !(carry < wanted * (1 - 1e-9))) continue;
    const std::string next =
        c.to.size() == 1 ? quote(scene.elements[static_cast<size_t>(c.to[0])].name) : std::string("its successors");
    char speed[48];
    std::snprintf(speed, sizeof speed, "%g m/s", round3(wanted * c.spacing_m));
    diag.warning(file, c.loc,
                 "element " + quote(c.name) + ": this conveyor carries at most " + per_hour(carry) +
                     " (speed / spacing), but " +
                     (std::isfinite(arriving[i]) ? per_hour(arriving[i]) : std::string("more")) + " reach it and " +
                     next + " can take " + per_hour(take) +
                     ": the conveyor, not a station, limits the line; a speed of " + speed +
                     " (or a spacing shortened to match) would let it keep up");
  }

  // An explicit `warmup: 0` is a run from an empty line on purpose (a terminating study).
  if (scene.run.warmup_given && scene.run.warmup_s == 0) return;
  const FillTime fill = fill_time(scene, flow);
  if (fill.route.empty() || !(scene.run.warmup_s < fill.seconds)) return;
  const auto name = [&](int i) { return quote(scene.elements[static_cast<size_t>(i)].name); };
  diag.warning(file, scene.run.warmup_loc,
               "key 'run.warmup': " + format_duration(scene.run.warmup_s) + " is shorter than the line's fill time, " +
                   format_duration(fill.seconds, 3) + ": the first part needs that long from " +
                   name(fill.route.front()) + " to " + name(fill.route.back()) + " (through " +
                   std::to_string(fill.route.size() - 2) +
                   " elements, in mean process and transport times), so the statistics include the start from an "
                   "empty line; make the warm-up longer (`plantwin warmup` estimates one)");
}

}  // namespace plantwin
