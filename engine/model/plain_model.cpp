// Model::plain(): whether a model's lanes may run the plain instantiation of the flow kernel
// (kernels/flow/lane_sim.h, kPlain), which leaves out the factory objects' code.
#include <algorithm>

#include "engine/model/model.h"

namespace plantwin {

bool Model::plain() const {
  if (force_general || coupling || !pools.empty() || !robots.empty()) return false;
  for (int32_t e = 0; e < n_elements; ++e) {
    switch (kind[e]) {
      case flow::kSource: case flow::kStation: case flow::kBuffer: case flow::kConveyor: case flow::kSink: break;
      default: return false;
    }
    if ((flags[e] & ~flow::kPlainFlags) != 0 || from_robot[e] >= 0) return false;
  }
  // The kernel's plain path ages every failure clock in operating time.
  if (std::any_of(mode_calendar.begin(), mode_calendar.end(), [](uint8_t c) { return c != 0; })) return false;
  // A zero-capacity buffer hands parts straight on: the general path's look-through.
  for (int32_t v = 0; v < n_variants; ++v)
    for (int32_t b : buffers)
      if (capacity[static_cast<size_t>(v) * n_elements + b] == 0) return false;
  return true;
}

}  // namespace plantwin
