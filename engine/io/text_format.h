// Small text helpers shared by the tables and files plantwin prints (info, run, compare, diff,
// check).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

// A measured value with 4 significant digits; "-" for NaN, "inf" / "-inf".
inline std::string format4(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fixed(v, decimals_for(std::fabs(v), 4));
}

// A setting as the user gave it (an alpha, a tolerance): 0.05, not 0.05000.
inline std::string format_setting(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

// A p-value: 4 decimals, "<1e-4" below that, "-" when there is none (NaN).
inline std::string format_p(double p) {
  if (std::isnan(p)) return "-";
  if (p < 1e-4) return "<1e-4";
  return fixed(p, 4);
}

// The shortest of %.15g..%.17g that reads back as the same double; "" for NaN/inf.
inline std::string plain(double v) {
  if (!std::isfinite(v)) return "";
  char text[64];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  return text;
}

// A CSV field, quoted per RFC 4180 when it holds a comma, quote or line break.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
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
