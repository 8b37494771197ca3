// A per-lane histogram of lead times for percentiles, binned by the bits of the double so
// that the bin of a value is the same on every backend: 16 bins per octave (each bin is at
// most 1/16 = 6.25 % of its lower edge wide) from 2^-3 s = 0.125 s to 2^21 s (24 days).
// Values below the range fall in bin 0, above it in the last bin; the maximum is kept exactly
// beside the histogram, so the top bin's upper edge is never needed.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/common/hd.h"

namespace plantwin::stats {

constexpr int kLeadBinsPerOctave = 16;
constexpr int kLeadMinExp = -3;  // lower edge of bin 0 is 2^kLeadMinExp seconds
constexpr int kLeadOctaves = 24;
constexpr int kLeadBins = kLeadBinsPerOctave * kLeadOctaves;  // 384

// Bin of a lead time (seconds, >= 0).
PW_HD inline int lead_bin(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int exp = static_cast<int>((bits >> 52) & 0x7ff) - 1023;   // x = 1.m * 2^exp for normal x
  int sub = static_cast<int>((bits >> (52 - 4)) & 0xf);       // top 4 mantissa bits: 16 linear sub-bins
  int b = (exp - kLeadMinExp) * kLeadBinsPerOctave + sub;
  if (x < 0.125 || b < 0) return 0;
  return b >= kLeadBins ? kLeadBins - 1 : b;
}

// Lower edge of bin b in seconds (bin 0's lower edge is taken as 0: it also holds smaller values).
PW_HD inline double lead_bin_lower(int b) {
  if (b <= 0) return 0;
  int oct = b / kLeadBinsPerOctave, sub = b % kLeadBinsPerOctave;
  double base = 1.0;
  int e = oct + kLeadMinExp;
  for (int i = 0; i < (e < 0 ? -e : e); ++i) base = e < 0 ? base * 0.5 : base * 2.0;
  return base * (1.0 + sub / 16.0);
}
// Upper edge of bin b in seconds (the last bin's is its nominal edge, 2^21 s).
PW_HD inline double lead_bin_upper(int b) { return lead_bin_lower(b + 1); }

}  // namespace plantwin::stats
