// Small text helpers shared by the tables plantwin prints (info, run, compare).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace plantwin {

// Columns a UTF-8 string takes on a terminal (one per code point: "±" is one column).
inline size_t display_width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

// `value` with exactly `decimals` decimals.
inline std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// Decimals that show `digits` significant digits of `magnitude`, within [0, 6].
inline int decimals_for(double magnitude, int digits) {
  if (!(magnitude > 0) || !std::isfinite(magnitude)) return 0;
  const int decimals = digits - 1 - static_cast<int>(std::floor(std::log10(magnitude)));
  return std::clamp(decimals, 0, 6);
}

}  // namespace plantwin
