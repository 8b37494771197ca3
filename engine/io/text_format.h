// Small text helpers shared by the tables plantwin prints (info, run, compare).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

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

// Prints a fixed-width table: a header, a rule, the rows; columns two spaces apart and
// indented by two, padded by display width, left- or right-aligned per column.
inline void print_table(std::ostream& os, const std::vector<std::string>& header, const std::vector<bool>& left,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t k = 0; k < header.size(); ++k) {
    width[k] = display_width(header[k]);
    for (const auto& r : rows) width[k] = std::max(width[k], display_width(r[k]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = "  ";
    for (size_t k = 0; k < cells.size(); ++k) {
      const std::string pad(width[k] - display_width(cells[k]), ' ');
      text += left[k] ? cells[k] + pad : pad + cells[k];
      if (k + 1 < cells.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    os << text << '\n';
  };
  line(header);
  size_t total = 0;
  for (size_t w : width) total += w;
  os << "  " << std::string(total + 2 * (width.size() - 1), '-') << '\n';
  for (const auto& r : rows) line(r);
}

}  // namespace plantwin
