// is_plain: whether a model's lanes may run the plain instantiation of the flow kernel
// (kernels/flow/lane_sim.h, kPlain), which leaves out the factory objects' code.
#include <algorithm>

#include "engine/model/model.h"

namespace plantwin {

bool is_plain(const Model& m) {
  // Without operators and robots every element is a source, station, buffer, conveyor or sink.
  if (m.coupling || !m.pools.empty() || !m.robots.empty()) return false;
  for (int32_t e = 0; e < m.n_elements; ++e)
    if ((m.flags[e] & ~flow::kPlainFlags) != 0) return false;
  // The kernel's plain path ages every failure clock in operating time.
  if (std::any_of(m.mode_calendar.begin(), m.mode_calendar.end(), [](uint8_t c) { return c != 0; })) return false;
  // A zero-capacity buffer hands parts straight on: the general path's look-through.
  for (int32_t v = 0; v < m.n_variants; ++v)
    for (int32_t b : m.buffers)
      if (m.capacity[static_cast<size_t>(v) * m.n_elements + b] == 0) return false;
  return true;
}

}  // namespace plantwin
