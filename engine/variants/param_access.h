// One variant parameter in a Scene: which field a ParamPath names, and reading, writing and
// printing its value. The loader, expand_variants and apply_variant all go through here, so
// a path means the same field everywhere.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/scene/scene.h"
#include "engine/variants/variant_spec.h"

namespace plantwin {

// The parameter names of a distribution's family, as `element.key.NAME` addresses them
// ("mean", "sd", ...); empty for a constant (varied whole) and for empirical (not variable).
std::vector<std::string> dist_param_names(const DistSpec& d);

// The parameters of an element that a variant (or --set) may set, as "key" or "key.sub". A
// distribution varies whole only where the scene gives a constant, else by its family's own
// parameters; a conveyor's length only where the scene gives `length` (a path or positions
// derive it); `at` only where the scene gives one; `rework.p` only where the scene gives
// `rework`; `setup` only where it is one distribution (not a table); a by-part process time
// only for the part types the scene lists.
std::vector<std::string> settable_keys(const Scene& s, const Element& e);

// True when the element's failures are addressed as `failures.mtbf` / `failures.mttr`: the
// single-map form `failures: {mtbf, mttr}` (one mode named "failure"). Otherwise every mode is
// `failures.<name>.mtbf` / `failures.<name>.mttr`.
bool single_failure_form(const Element& e);

// The DistSpec that `key` names ("process", "interarrival", "setup", "process.by_part.<part>",
// "failures.mtbf", "failures.mttr", "failures.<mode>.mtbf", "failures.<mode>.mttr"), or nullptr
// for a key that is not a distribution.
const DistSpec* param_dist(const Scene& s, const Element& e, const std::string& key);
DistSpec* param_dist(const Scene& s, Element& e, const std::string& key);

// Splits `rest` (the path after "element.", one of settable_keys) into p.key and p.sub: a
// distribution's key and the parameter of its family ("process.by_part.a" + "mean"), or the
// whole rest and "" ("rework.p", "capacity").
void split_param_key(const Scene& s, const Element& e, const std::string& rest, ParamPath& p);

// Sets p.kind and p.unit from p.element, p.key and p.sub.
void classify_param(const Scene& s, ParamPath& p);

// The scene's own value of p (loc: p.loc).
ParamValue read_param(const Scene& s, const ParamPath& p);
// Sets p to v in s. A whole constant duration becomes DistSpec{Constant, v}; a Count is
// rounded to the nearest whole number.
void write_param(Scene& s, const ParamPath& p, const ParamValue& v);

// Compact text for variant names: numbers and counts with %g, durations as %g seconds with
// an "s" ("20s"), positions as "[x;y;z]" (';' so that ',' can separate parameters).
std::string format_param_value(const ParamPath& p, const ParamValue& v);

bool same_param(const ParamPath& a, const ParamPath& b);

// The straight 3-D distance from a robot's base to an element, and what is wrong with it: ""
// when the element is within reach, else "robot 'r1' cannot reach 'm1': distance 2.41 m >
// reach 2 m".
double robot_distance(const Element& robot, const Element& e);
std::string robot_reach_error(const Element& robot, const Element& e);

// (Defined in apply.cpp.) Recomputes the length of every conveyor whose length comes from
// positions (its `at` and that of the element it feeds).
void derive_conveyor_lengths(Scene& s);

// (Defined in apply.cpp; apply_variant and apply_overrides share it.) Writes values[i] to
// params[i] in s (a copy of base), derives conveyor lengths again, and checks every value that
// differs from base's own with the limits the loader applies (ranges, a distribution's order,
// a conveyor length from positions that becomes zero, scrap + rework.p below 1, a robot that
// no longer reaches an element it serves): report(i, message) for each problem.
void set_params_checked(Scene& s, const Scene& base, const std::vector<ParamPath>& params,
                        const std::vector<ParamValue>& values,
                        const std::function<void(size_t, const std::string&)>& report);

}  // namespace plantwin
