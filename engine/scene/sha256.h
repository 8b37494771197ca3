// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: identifies the exact
// scene a results file came from.
#pragma once
#include <string>

namespace plantwin {
std::string sha256_hex(const std::string& bytes);
}
