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

const DistSpec* param_dist(const Element& e, const std::string& key) {
  if (key == "process") return &e.process;
  if (key == "interarrival") return &e.interarrival;
  if (key == "failures.mtbf") return &e.mtbf;
  if (key == "failures.mttr") return &e.mttr;
  return nullptr;
}
DistSpec* param_dist(Element& e, const std::string& key) {
  return const_cast<DistSpec*>(param_dist(static_cast<const Element&>(e), key));
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
  } else if (p.key == "speed") { p.kind = ParamKind::Number; p.unit = "m/s"; }
  else if (p.key == "length" || p.key == "spacing") { p.kind = ParamKind::Number; p.unit = "m"; }
  else if (p.sub == "k") { p.kind = ParamKind::Count; p.unit = "1"; }
  else if (p.sub == "cv" || p.sub == "shape") { p.kind = ParamKind::Number; p.unit = "1"; }
  else { p.kind = ParamKind::Duration; p.unit = "s"; }  // a whole constant or a time parameter
}

ParamValue read_param(const Scene& s, const ParamPath& p) {
  const Element& e = s.elements[static_cast<size_t>(p.element)];
  ParamValue v;
  v.loc = p.loc;
  if (p.key == "at") v.position = e.at;
  else if (p.key == "capacity") v.value = static_cast<double>(e.type == ElementType::Buffer ? e.capacity : e.servers);
  else if (p.key == "speed") v.value = e.speed_mps;
  else if (p.key == "length") v.value = e.length_m;
  else if (p.key == "spacing") v.value = e.spacing_m;
  else if (const DistSpec* d = param_dist(e, p.key)) {
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
  } else if (p.key == "speed") e.speed_mps = x;
  else if (p.key == "length") e.length_m = x;
  else if (p.key == "spacing") e.spacing_m = x;
  else if (DistSpec* d = param_dist(e, p.key)) {
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

}  // namespace plantwin

namespace plantwin {

std::vector<std::string> settable_keys(const Element& e) {
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
      k.push_back("capacity");
      dist("process", e.process);
      if (e.has_failures) {
        dist("failures.mtbf", e.mtbf);
        dist("failures.mttr", e.mttr);
      }
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
  }
  if (e.has_at) k.push_back("at");
  return k;
}

}  // namespace plantwin
