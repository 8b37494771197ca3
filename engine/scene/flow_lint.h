// Warnings about a valid scene whose flow is probably not what its author meant: it runs, but
// a conveyor throttles the line, or the warm-up ends before a part could cross the empty line.
// `plantwin validate --strict` fails on them. Rates are long-run estimates from the scene's
// means (docs/scene-format.md, "Lint"): a station counts at its slowest part type's mean,
// with failures and shifts; setups, shared operators and robots are not counted.
#pragma once
#include <string>
#include <vector>

#include "engine/scene/diagnostics.h"
#include "engine/scene/scene.h"

namespace plantwin {

// Adds the warnings for `scene` (which must have passed validation) to `diag`, at `file`:
//  - a kinematic conveyor whose most parts per hour (speed / spacing) are fewer than both what
//    reaches it and what its successors can take: the conveyor, not a station, limits the line;
//  - a warm-up shorter than the line's fill time, the longest route from a source to a sink
//    in mean process and transport times: the first part cannot have crossed the line yet.
//    An explicit `warmup: 0` is taken as meant (a study of the start from empty).
void lint_flow(const Scene& scene, const std::string& file, Diagnostics& diag);

// The line's fill time [s] and its route (element indices, source first); empty when no sink
// is reachable. Exposed for tests.
struct FillTime {
  double seconds = 0;
  std::vector<int> route;
};
FillTime fill_time(const Scene& scene);

// Long-run parts per second reaching each element (index as in scene.elements) when every
// element runs at its mean rate: +inf where nothing upstream limits the flow. Exposed for tests.
std::vector<double> arrival_rates(const Scene& scene);

}  // namespace plantwin
