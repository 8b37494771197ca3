// Numbers and durations as scene files write them (docs/scene-format.md, "Units and values").
#pragma once
#include <optional>
#include <string>

namespace plantwin {

// A finite decimal number written in full ("12", "-0.5", "1e3"); nullopt otherwise
// (empty, trailing text, NaN, infinity, out of range).
std::optional<double> parse_number(const std::string& text);

// A whole number in [-2^63, 2^63); nullopt otherwise ("3.0" is not whole).
std::optional<long long> parse_integer(const std::string& text);

// Seconds from "90", "90s", "2.5min", "8h", "1d", "250ms" (a space before the unit is allowed).
std::optional<double> parse_duration(const std::string& text);

// "8 h" style text for messages and tables: the largest unit that keeps it readable, with up
// to `digits` significant digits (%g).
std::string format_duration(double seconds, int digits = 6);

}  // namespace plantwin
