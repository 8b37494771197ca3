// The variants of a batch, expanded from the scene's `variants:` block: variant 0 is the
// baseline (the scene as written), then cases, then the sweep's cartesian product, then
// the samples, in that order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/scene/diagnostics.h"
#include "engine/scene/scene.h"
#include "engine/variants/variant_spec.h"

namespace plantwin {

struct VariantSet {
  // Every parameter some variant sets, in order of first appearance in the block.
  std::vector<ParamPath> params;                  // [P]
  std::vector<std::string> names;                 // [V] "baseline" first
  // values[v][p]: the value of parameter p in variant v (the scene's own value where the
  // variant does not set it).
  std::vector<std::vector<ParamValue>> values;    // [V][P]
  size_t size() const { return names.size(); }
};

// Expands scene.variants (the baseline alone when the block is absent). Sample designs draw
// from Philox keyed by the scene's seed, so the same scene gives the same variants.
VariantSet expand_variants(const Scene& scene);

// The scene of variant v: the base scene with that variant's values set, conveyor lengths
// derived from positions recomputed, and every changed value checked (a capacity that is not
// a whole number >= 0, a duration <= 0, ...). Problems go to `diag` as errors at the location
// of the offending value in the variants block, naming the variant and the parameter.
Scene apply_variant(const Scene& base, const VariantSet& set, size_t v, Diagnostics& diag);

// The scenes of variants 0 .. min(set.size(), max_variants) - 1 of a scene the loader accepted
// (it has checked every variant, so nothing new is reported): what a batch compiles.
std::vector<Scene> variant_scenes(const Scene& base, const VariantSet& set, size_t max_variants = SIZE_MAX);

}  // namespace plantwin
