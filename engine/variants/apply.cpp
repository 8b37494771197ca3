// apply_variant: the scene one variant runs. The loader checked each value's kind; whether a
// value is in range can depend on the variant's other values (a triangular min and mode) and
// on geometry (a moved `at` changes a derived conveyor length or puts a station out of a
// robot's reach), so it is checked here, with
// the same limits the loader applies to a scene's own values.
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

#include "engine/scene/units.h"
#include "engine/variants/param_access.h"
#include "engine/variants/variant_set.h"

namespace plantwin {

namespace {

constexpr double kMaxOperators = 1000000;  // the loader's limit on `count`

std::string g(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// What is wrong with p's value x in scene s (after all of the variant's values are set),
// or "" when it is fine.
std::string check_value(const Scene& s, const ParamPath& p, double x) {
  const Element& e = s.elements[static_cast<size_t>(p.element)];
  if (p.key == "capacity") {
    if (x != std::round(x)) return "must be a whole number, got " + g(x);
    if (e.type == ElementType::Buffer && (x < 0 || x > 100000000))
      return "buffer capacity must be from 0 to 100000000, got " + g(x);
    if (is_station_like(e.type) && (x < 1 || x > 4096))
      return "parallel servers must be from 1 to 4096, got " + g(x);
    return "";
  }
  if (p.key == "count")
    return x == std::round(x) && x >= 1 && x <= kMaxOperators ? ""
           : "operators must be a whole number from 1 to " + std::to_string(static_cast<long long>(kMaxOperators)) +
                 ", got " + g(x);
  if (p.key == "speed" || p.key == "length" || p.key == "spacing" || p.key == "reach" || p.key == "acceleration")
    return x > 0 ? "" : "must be positive (" + p.unit + "), got " + g(x);
  if (p.key == "grip" || p.key == "release") return x >= 0 ? "" : "must not be negative, got " + format_duration(x);
  if (p.key == "scrap" || p.key == "rework.p")  // their sum is checked apart, once per element
    return x >= 0 && x < 1 ? "" : "must be a probability from 0 up to (not including) 1, got " + g(x);
  const DistSpec* d = param_dist(s, e, p.key);
  if (!d) return "";
  const std::string shown = p.kind == ParamKind::Duration ? format_duration(x) : g(x);
  if (p.sub == "k") return x >= 1 && x <= 1000000 && x == std::round(x) ? "" : "must be a whole number from 1 to 1000000, got " + g(x);
  if (p.sub == "shape") return x >= 0.05 && x <= 1000 ? "" : "must be between 0.05 and 1000, got " + g(x);
  if (p.sub == "min") return x >= 0 ? "" : "must not be negative, got " + shown;
  if ((p.sub == "sd" || p.sub == "cv") && d->family != DistFamily::Gamma)  // gamma needs a spread > 0
    return x >= 0 ? "" : "must not be negative, got " + shown;
  if (p.sub == "mode" || p.sub == "max") return "";  // checked as an order below
  return x > 0 ? "" : "must be positive, got " + shown;  // a constant, mean, scale, gamma's cv
}

// The order a uniform or triangular distribution needs, or "" when it holds.
std::string check_order(const DistSpec& d) {
  if (d.family == DistFamily::Uniform && !(d.min <= d.max && d.max > 0))
    return "needs min <= max and max > 0, got [" + format_duration(d.min) + ", " + format_duration(d.max) + "]";
  if (d.family == DistFamily::Triangular && !(d.min <= d.mode && d.mode <= d.max && d.min < d.max))
    return "needs min <= mode <= max and min < max, got [" + format_duration(d.min) + ", " +
           format_duration(d.mode) + ", " + format_duration(d.max) + "]";
  return "";
}

bool same_value(const ParamPath& p, const ParamValue& a, const ParamValue& b) {
  return p.kind == ParamKind::Position ? a.position == b.position : a.value == b.value;
}

}  // namespace

void derive_conveyor_lengths(Scene& s) {
  for (auto& e : s.elements)
    if (e.type == ElementType::Conveyor && e.length_from_positions && e.succ >= 0) {
      const Vec3& a = e.at;
      const Vec3& b = s.elements[static_cast<size_t>(e.succ)].at;
      e.length_m = std::sqrt((b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]) + (b[2] - a[2]) * (b[2] - a[2]));
    }
}

void set_params_checked(Scene& s, const Scene& base, const std::vector<ParamPath>& params,
                        const std::vector<ParamValue>& values,
                        const std::function<void(size_t, const std::string&)>& report) {
  for (size_t p = 0; p < params.size(); ++p) write_param(s, params[p], values[p]);
  derive_conveyor_lengths(s);

  std::set<std::pair<int, std::string>> ordered;  // distributions whose order is already checked
  std::set<std::pair<int, int>> reach_checked;     // (robot, element) pairs already checked
  std::set<int> sum_reported;                      // elements whose scrap + rework.p is reported
  for (size_t p = 0; p < params.size(); ++p) {
    const ParamPath& pp = params[p];
    if (same_value(pp, values[p], read_param(base, pp))) continue;  // the scene's own value: already valid
    const Element& e = s.elements[static_cast<size_t>(pp.element)];
    if (pp.kind != ParamKind::Position) {
      std::string msg = check_value(s, pp, values[p].value);
      if (!msg.empty()) report(p, msg);
      else if ((pp.key == "scrap" || pp.key == "rework.p") && !(e.scrap_p + e.rework_p < 1) &&
               sum_reported.insert(pp.element).second)
        report(p, "scrap + rework.p must be below 1, got " + g(e.scrap_p) + " + " + g(e.rework_p));
    }
    if (const DistSpec* d = param_dist(s, e, pp.key))
      if (ordered.insert({pp.element, pp.key}).second) {
        std::string msg = check_order(*d);
        if (!msg.empty()) report(p, msg);
      }
    if (pp.key == "at") {
      // A conveyor whose length comes from positions: this one, or one that feeds this element.
      for (size_t c = 0; c < s.elements.size(); ++c) {
        const Element& cv = s.elements[c];
        if (cv.type != ElementType::Conveyor || !cv.length_from_positions) continue;
        if (static_cast<int>(c) != pp.element && cv.succ != pp.element) continue;
        if (cv.length_m <= 0)
          report(p, "conveyor '" + cv.name + "' would have length zero from positions: it stands at the same 'at' as '" +
                        s.elements[static_cast<size_t>(cv.succ)].name + "'");
      }
    }
    if (pp.key == "at" || pp.key == "reach") {
      // A robot must reach every element it serves: a moved element, a moved robot, a shorter arm.
      for (size_t r = 0; r < s.elements.size(); ++r) {
        const Element& robot = s.elements[r];
        if (robot.type != ElementType::Robot) continue;
        for (const RobotTransfer& t : robot.transfers)
          for (int x : {t.from, t.to}) {
            if (x < 0 || (static_cast<int>(r) != pp.element && x != pp.element)) continue;
            if (!reach_checked.insert({static_cast<int>(r), x}).second) continue;
            std::string msg = robot_reach_error(robot, s.elements[static_cast<size_t>(x)]);
            if (!msg.empty()) report(p, msg);
          }
      }
    }
  }
}

Scene apply_variant(const Scene& base, const VariantSet& set, size_t v, Diagnostics& diag) {
  Scene s = base;
  const std::vector<ParamValue>& row = set.values[v];
  set_params_checked(s, base, set.params, row, [&](size_t p, const std::string& msg) {
    diag.error(base.path, row[p].loc,
               "variant " + ("'" + set.names[v] + "'") + ", parameter '" + set.params[p].text + "': " + msg);
  });
  return s;
}

std::vector<Scene> variant_scenes(const Scene& base, const VariantSet& set, size_t max_variants) {
  std::vector<Scene> out;
  Diagnostics unused;
  for (size_t v = 0; v < set.size() && v < max_variants; ++v) out.push_back(apply_variant(base, set, v, unused));
  return out;
}

}  // namespace plantwin
