#include "engine/variants/param_access.h"

#include <cmath>
#include <cstdio>

namespace plantwin {

std::vector<std::string> dist_param_names(const DistSpec& d) {
  switch (d.family) {
    case DistFamily::Constant: return {};
    case DistFamily::Exponential: return {"mean"};
    case DistFamily::Uniform: return {"min", "max"};
    case DistFamily::Triangular: return {"min", "mode", "max"};
    case DistFamily::Normal: return {"mean", "sd"};
    case DistFamily::Lognormal:
    case DistFamily::Gamma: return {"mean", d.has_cv ? "cv" : "sd"};
    case DistFamily::Erlang: return {"mean", "k"};
    case DistFamily::Weibull: return {"shape", "scale"};
    case DistFamily::Empirical: return {};
  }
  return {};
}

bool single_failure_form(const Element& e) { return e.failures.size() == 1 && e.failures[0].name == "failure"; }

namespace {

constexpr const char* kByPart = "process.by_part.";

// A by-part entry the scene lists: the loader rejects a zero constant, so an unlisted entry
// (constant 0) is told apart from a listed one.
bool listed(const DistSpec& d) { return !(d.family == DistFamily::Constant && d.value == 0); }

// Every key of e that names a distribution (settable or not), for splitting paths.
std::vector<std::string> dist_keys(const Scene& s, const Element& e) {
  std::vector<std::string> k;
  if (e.type == ElementType::Source) k.push_back("interarrival");
  if (!is_station_like(e.type)) return k;
  if (e.process_by_part.empty()) k.push_back("process");
  for (size_t p = 0; p < e.process_by_part.size() && p < s.parts.size(); ++p)
    if (listed(e.process_by_part[p])) k.push_back(kByPart + s.parts[p].name);
  if (e.has_setup && !e.setup_by_pair) k.push_back("setup");
  const bool single = single_failure_form(e);
  for (const auto& f : e.failures) {
    const std::string base = single ? "failures." : "failures." + f.name + ".";
    k.push_back(base + "mtbf");
    k.push_back(base + "mttr");
  }
  return k;
}

}  // namespace

const DistSpec* param_dist(const Scene& s, const Element& e, const std::string& key) {
  if (key == "process") return is_station_like(e.type) && e.process_by_part.empty() ? &e.process : nullptr;
  if (key == "interarrival") return e.type == ElementType::Source ? &e.interarrival : nullptr;
  if (key == "setup") return e.has_setup && !e.setup_by_pair ? &e.setup : nullptr;
  if (key.rfind(kByPart, 0) == 0) {
    const std::string part = key.substr(std::string(kByPart).size());
    for (size_t p = 0; p < s.parts.size() && p < e.process_by_part.size(); ++p)
      if (s.parts[p].name == part) return &e.process_by_part[p];
    return nullptr;
  }
  if (key.rfind("failures.", 0) == 0) {
    const std::string rest = key.substr(9);
    const bool single = single_failure_form(e);
    for (const auto& f : e.failures) {
      const std::string base = single ? "" : f.name + ".";
      if (rest == base + "mtbf") return &f.mtbf;
      if (rest == base + "mttr") return &f.mttr;
    }
  }
  return nullptr;
}
DistSpec* param_dist(const Scene& s, Element& e, const std::string& key) {
  return const_cast<DistSpec*>(param_dist(s, static_cast<const Element&>(e), key));
}

void split_param_key(const Scene& s, const Element& e, const std::string& rest, ParamPath& p) {
  // Part and mode names may hold dots: the longest distribution key the path starts with.
  std::string best;
  for (const auto& k : dist_keys(s, e))
    if ((rest == k || rest.rfind(k + ".", 0) == 0) && k.size() > best.size()) best = k;
  if (best.empty() || rest == best) {
    p.key = rest;
    p.sub = "";
  } else {
    p.key = best;
    p.sub = rest.substr(best.size() + 1);
  }
}

namespace {
// The field of a distribution parameter (k is an int and handled apart).
double* dist_field(DistSpec& d, const std::string& sub) {
  if (sub.empty()) return &d.value;
  if (sub == "mean") return &d.mean;
  if (sub == "sd") return &d.sd;
  if (sub == "cv") return &d.cv;
  if (sub == "shape") return &d.shape;
  if (sub == "scale") return &d.scale;
  if (sub == "min") return &d.min;
  if (sub == "mode") return &d.mode;
  if (sub == "max") return &d.max;
  return nullptr;
}
}  // namespace

void classify_param(const Scene& s, ParamPath& p) {
  const Element& e = s.elements[static_cast<size_t>(p.element)];
  if (p.key == "at") { p.kind = ParamKind::Position; p.unit = "m"; }
  else if (p.key == "capacity") {
    p.kind = ParamKind::Count;
    p.unit = e.type == ElementType::Buffer ? "parts" : "servers";
  } else if (p.key == "count") { p.kind = ParamKind::Count; p.unit = "workers"; }
  else if (p.key == "speed") { p.kind = ParamKind::Number; p.unit = "m/s"; }
  else if (p.key == "acceleration") { p.kind = ParamKind::Number; p.unit = "m/s^2"; }
  else if (p.key == "length" || p.key == "spacing" || p.key == "reach") { p.kind = ParamKind::Number; p.unit = "m"; }
  else if (p.key == "scrap" || p.key == "rework.p") { p.kind = ParamKind::Number; p.unit = "1"; }
  else if (p.sub == "k") { p.kind = ParamKind::Count; p.unit = "1"; }
  else if (p.sub == "cv" || p.sub == "shape") { p.kind = ParamKind::Number; p.unit = "1"; }
  else { p.kind = ParamKind::Duration; p.unit = "s"; }  // grip, release, a whole constant or a time parameter
}

ParamValue read_param(const Scene& s, const ParamPath& p) {
  const Element& e = s.elements[static_cast<size_t>(p.element)];
  ParamValue v;
  v.loc = p.loc;
  if (p.key == "at") v.position = e.at;
  else if (p.key == "capacity") v.value = static_cast<double>(e.type == ElementType::Buffer ? e.capacity : e.servers);
  else if (p.key == "count") v.value = static_cast<double>(e.count);
  else if (p.key == "speed") v.value = e.type == ElementType::Robot ? e.speed_mps_robot : e.speed_mps;
  else if (p.key == "length") v.value = e.length_m;
  else if (p.key == "spacing") v.value = e.spacing_m;
  else if (p.key == "reach") v.value = e.reach_m;
  else if (p.key == "acceleration") v.value = e.accel_mps2;
  else if (p.key == "grip") v.value = e.grip_s;
  else if (p.key == "release") v.value = e.release_s;
  else if (p.key == "scrap") v.value = e.scrap_p;
  else if (p.key == "rework.p") v.value = e.rework_p;
  else if (const DistSpec* d = param_dist(s, e, p.key)) {
    if (p.sub == "k") v.value = d->k;
    else if (double* f = dist_field(const_cast<DistSpec&>(*d), p.sub)) v.value = *f;
  }
  return v;
}

void write_param(Scene& s, const ParamPath& p, const ParamValue& v) {
  Element& e = s.elements[static_cast<size_t>(p.element)];
  const double x = p.kind == ParamKind::Count ? std::round(v.value) : v.value;
  if (p.key == "at") { e.at = v.position; e.has_at = true; }
  else if (p.key == "capacity") {
    if (e.type == ElementType::Buffer) e.capacity = static_cast<int64_t>(x);
    else e.servers = static_cast<int64_t>(x);
  } else if (p.key == "count") e.count = static_cast<int64_t>(x);
  else if (p.key == "speed") (e.type == ElementType::Robot ? e.speed_mps_robot : e.speed_mps) = x;
  else if (p.key == "length") e.length_m = x;
  else if (p.key == "spacing") e.spacing_m = x;
  else if (p.key == "reach") e.reach_m = x;
  else if (p.key == "acceleration") e.accel_mps2 = x;
  else if (p.key == "grip") e.grip_s = x;
  else if (p.key == "release") e.release_s = x;
  else if (p.key == "scrap") e.scrap_p = x;
  else if (p.key == "rework.p") e.rework_p = x;
  else if (DistSpec* d = param_dist(s, e, p.key)) {
    if (p.sub.empty()) {
      *d = DistSpec{};  // the loader allows a whole value only where the scene has a constant
      d->family = DistFamily::Constant;
      d->value = x;
    } else if (p.sub == "k") {
      d->k = static_cast<int>(x);
    } else if (double* f = dist_field(*d, p.sub)) {
      *f = x;
    }
  }
}

std::string format_param_value(const ParamPath& p, const ParamValue& v) {
  char buf[128];
  if (p.kind == ParamKind::Position)
    std::snprintf(buf, sizeof buf, "[%g;%g;%g]", v.position[0], v.position[1], v.position[2]);
  else if (p.kind == ParamKind::Duration)
    std::snprintf(buf, sizeof buf, "%gs", v.value);
  else
    std::snprintf(buf, sizeof buf, "%g", p.kind == ParamKind::Count ? std::round(v.value) : v.value);
  return buf;
}

bool same_param(const ParamPath& a, const ParamPath& b) {
  return a.element == b.element && a.key == b.key && a.sub == b.sub;
}

double robot_distance(const Element& robot, const Element& e) {
  const double dx = e.at[0] - robot.at[0], dy = e.at[1] - robot.at[1], dz = e.at[2] - robot.at[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

std::string robot_reach_error(const Element& robot, const Element& e) {
  const double d = robot_distance(robot, e);
  if (d <= robot.reach_m) return "";
  char reach[64], dist[64];
  std::snprintf(reach, sizeof reach, "%g", robot.reach_m);
  // Enough digits that the distance shown differs from the reach shown (2.0004 > 2).
  for (int digits = 3; digits <= 17; ++digits) {
    std::snprintf(dist, sizeof dist, "%.*g", digits, d);
    if (std::string(dist) != reach) break;
  }
  return "robot '" + robot.name + "' cannot reach '" + e.name + "': distance " + dist + " m > reach " + reach + " m";
}

std::vector<std::string> settable_keys(const Scene& s, const Element& e) {
  std::vector<std::string> k;
  auto dist = [&](const std::string& key, const DistSpec& d) {
    if (d.family == DistFamily::Constant) k.push_back(key);
    for (const auto& n : dist_param_names(d)) k.push_back(key + "." + n);
  };
  switch (e.type) {
    case ElementType::Source:
      if (!e.saturated) dist("interarrival", e.interarrival);
      break;
    case ElementType::Station:
    case ElementType::Assembly:
    case ElementType::Split:
      k.push_back("capacity");
      for (const auto& key : dist_keys(s, e)) dist(key, *param_dist(s, e, key));
      break;
    case ElementType::Buffer:
      if (!e.infinite) k.push_back("capacity");  // inf is not a number a variant could change
      break;
    case ElementType::Conveyor:
      k.push_back("speed");
      if (e.length_given) k.push_back("length");
      k.push_back("spacing");
      break;
    case ElementType::Sink:
      break;
    case ElementType::Operators:
      k.push_back("count");
      break;
    case ElementType::Robot:
      for (const char* key : {"reach", "speed", "acceleration", "grip", "release"}) k.push_back(key);
      break;
  }
  if (e.has_at) k.push_back("at");
  if (is_station_like(e.type)) {  // last: the lists of older scenes keep their order
    k.push_back("scrap");
    if (e.rework_to >= 0) k.push_back("rework.p");
  }
  return k;
}

}  // namespace plantwin
