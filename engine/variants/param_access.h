// One variant parameter in a Scene: which field a ParamPath names, and reading, writing and
// printing its value. The loader, expand_variants and apply_variant all go through here, so
// a path means the same field everywhere.
#pragma once
#include <string>
#include <vector>

#include "engine/scene/scene.h"
#include "engine/variants/variant_spec.h"

namespace plantwin {

// The parameter names of a distribution's family, as `element.key.NAME` addresses them
// ("mean", "sd", ...); empty for a constant (varied whole) and for empirical (not variable).
std::vector<std::string> dist_param_names(const DistSpec& d);

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

}  // namespace plantwin
