#include "engine/scene/units.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace plantwin {

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  // strtod accepts "nan", "inf" and hex floats; a scene number is plain decimal.
  for (char c : text)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' ||
          c == 'E'))
      return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<long long> parse_integer(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (i == text.size()) return std::nullopt;
  for (size_t j = i; j < text.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(text[j]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_duration(const std::string& text) {
  static const struct {
    const char* suffix;
    double seconds;
  } units[] = {{"ms", 1e-3}, {"min", 60.0}, {"s", 1.0}, {"h", 3600.0}, {"d", 86400.0}};
  if (auto v = parse_number(text)) return v;
  for (const auto& u : units) {
    std::string suf = u.suffix;
    if (text.size() <= suf.size() || text.compare(text.size() - suf.size(), suf.size(), suf) != 0) continue;
    std::string num = text.substr(0, text.size() - suf.size());
    while (!num.empty() && num.back() == ' ') num.pop_back();
    if (auto v = parse_number(num)) return *v * u.seconds;
    return std::nullopt;
  }
  return std::nullopt;
}

std::string format_duration(double s, int digits) {
  char buf[64];
  if (s != 0 && std::fabs(s) < 1)
    std::snprintf(buf, sizeof buf, "%.*g ms", digits, s * 1e3);
  else if (std::fabs(s) < 120)
    std::snprintf(buf, sizeof buf, "%.*g s", digits, s);
  else if (std::fabs(s) < 7200)
    std::snprintf(buf, sizeof buf, "%.*g min", digits, s / 60);
  else if (std::fabs(s) < 172800)
    std::snprintf(buf, sizeof buf, "%.*g h", digits, s / 3600);
  else
    std::snprintf(buf, sizeof buf, "%.*g d", digits, s / 86400);
  return buf;
}

}  // namespace plantwin
