// `plantwin run --set path=value`: changes the baseline of a scene before it runs. Paths and
// value kinds are those of the `variants:` block (param_access.h); the scene's own variants
// still apply on top of the changed baseline (a value a variant does not set is the new one).
#pragma once
#include <string>
#include <vector>

#include "engine/scene/scene.h"

namespace plantwin {

// Applies each "path=value" of `assignments` to `scene`, in order. The value is read as its
// parameter's kind: a duration with or without a unit ("40s", "2.5min", "90"), a number, a whole
// number, or a position "[x,y,z]" in metres. Conveyor lengths derived from positions are
// recomputed, every changed value is range-checked as apply_variant checks a variant's, and the
// scene's variants are checked again on the new baseline. A parameter may be set once.
// Problems go to `errors` as "--set 'path=value': message" (an unknown parameter with a
// did-you-mean); on any problem `scene` is left unchanged and the result is false.
bool apply_overrides(Scene& scene, const std::vector<std::string>& assignments, std::vector<std::string>& errors);

}  // namespace plantwin
