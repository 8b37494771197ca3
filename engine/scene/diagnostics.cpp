#include "engine/scene/diagnostics.h"

#include <algorithm>

namespace plantwin {

std::string Diagnostic::format() const {
  return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " +
         (severity == Severity::Error ? "error: " : "warning: ") + message;
}

void Diagnostics::error(const std::string& file, SourceLoc loc, std::string message) {
  items.push_back({file, loc, Severity::Error, std::move(message)});
}

void Diagnostics::warning(const std::string& file, SourceLoc loc, std::string message) {
  items.push_back({file, loc, Severity::Warning, std::move(message)});
}

int Diagnostics::error_count() const {
  return static_cast<int>(std::count_if(items.begin(), items.end(),
                                        [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
    return a.loc.column < b.loc.column;
  });
  return out;
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // Allow about one edit per three letters, at least two: catches typos, not unrelated words.
  size_t best = std::max<size_t>(2, word.size() / 3) + 1;
  std::string found;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return found;
}

}  // namespace plantwin
