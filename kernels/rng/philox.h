// Philox-4x32-10 counter-based generator (Salmon, Moraes, Dror, Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011), with the Random123 constants. Counter-based means any draw can be
// computed directly from (counter, key), with no state to carry or split, which is what lets each
// lane of either backend draw independently and reproducibly.
// Only 32x32->64-bit integer multiplies, xor and adds: exact and identical on CPU and GPU.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"

namespace plantwin {

struct Philox4x32Out {
  uint32_t v[4];
};

// One Philox-4x32 block: 10 rounds over counter (c0..c3) with key (k0, k1).
// Promises: matches the Random123 known-answer vectors (see tests/test_rng.cpp).
PW_HD inline Philox4x32Out philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                         uint32_t k0, uint32_t k1) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {  // the key is bumped between rounds, not before the first
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  Philox4x32Out out;
  out.v[0] = c0;
  out.v[1] = c1;
  out.v[2] = c2;
  out.v[3] = c3;
  return out;
}

}  // namespace plantwin
