// The keyed uniform stream: every random number in a run is a pure function of
// (seed, replication, element, purpose, draw index), so results do not depend on the backend,
// on thread scheduling, or on how many numbers other elements consumed.
//
// Key: the 64-bit seed -> Philox key (k0 = low 32 bits, k1 = high 32 bits).
// Counter: (replication, element, purpose, draw). Each Philox block yields two doubles
// (from words 0,1 and from words 2,3).
//
// Contract with callers: construct a fresh UniformStream (make_stream) for every sample. A sample
// therefore always starts on a fresh block, and the unused second double of its last block is
// dropped. This keeps each sample's draws a function of the draw counter alone (no spare carried
// between samples, hence no hidden state to store per lane) at the cost of some wasted halves.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/rng/philox.h"

namespace plantwin {

// Maps two 32-bit words to a double in the open interval (0, 1): the top 52 bits of (hi:lo),
// x, give (x + 0.5) * 2^-52, i.e. an odd multiple of 2^-53 in [2^-53, 1 - 2^-53]. Every step is
// exact (x + 0.5 needs 53 bits), so 0 and 1 are impossible. (With 53 bits, x + 0.5 would need 54
// bits and 2^53 - 0.5 would round up to exactly 1.)
PW_HD inline double u01_from_words(uint32_t hi, uint32_t lo) {
  const uint64_t x = ((static_cast<uint64_t>(hi) << 32) | lo) >> 12;
  return (static_cast<double>(x) + 0.5) * 2.220446049250313e-16;  // 2^-52
}

struct UniformStream {
  uint32_t k0, k1, rep, element, purpose;
  uint32_t* draw;  // the lane's draw counter for this stream; +1 per Philox block used
  double spare;
  bool has_spare;

  // Next uniform in (0, 1). Uses the spare half of the current block before drawing a new one.
  PW_HD double next() {
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    const Philox4x32Out b = philox4x32_10(rep, element, purpose, *draw, k0, k1);
    *draw += 1;
    spare = u01_from_words(b.v[2], b.v[3]);
    has_spare = true;
    return u01_from_words(b.v[0], b.v[1]);
  }
};

// A stream positioned at *draw, with no spare (see the contract above).
PW_HD inline UniformStream make_stream(uint64_t seed, uint32_t rep, uint32_t element,
                                       uint32_t purpose, uint32_t* draw) {
  UniformStream s;
  s.k0 = static_cast<uint32_t>(seed);
  s.k1 = static_cast<uint32_t>(seed >> 32);
  s.rep = rep;
  s.element = element;
  s.purpose = purpose;
  s.draw = draw;
  s.spare = 0.0;
  s.has_spare = false;
  return s;
}

}  // namespace plantwin
