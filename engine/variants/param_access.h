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
// derive it); `at` only where the scene gives one.
std::vector<std::string> settable_keys(const Element& e);

// The DistSpec that `key` ("process", "interarrival", "failures.mtbf", "failures.mttr") names,
// or nullptr for a key that is not a distribution.
const DistSpec* param_dist(const Element& e, const std::string& key);
DistSpec* param_dist(Element& e, const std::string& key);

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

// (Defined in apply.cpp.) Recomputes the length of every conveyor whose length comes from
// positions (its `at` and that of the element it feeds).
void derive_conveyor_lengths(Scene& s);

// (Defined in apply.cpp; apply_variant and apply_overrides share it.) Writes values[i] to
// params[i] in s (a copy of base), derives conveyor lengths again, and checks every value that
// differs from base's own with the limits the loader applies (ranges, a distribution's order,
// a conveyor length from positions that becomes zero): report(i, message) for each problem.
void set_params_checked(Scene& s, const Scene& base, const std::vector<ParamPath>& params,
                        const std::vector<ParamValue>& values,
                        const std::function<void(size_t, const std::string&)>& report);

}  // namespace plantwin
