// Problems found in a scene, reported all at once as FILE:LINE:COLUMN: severity: message.
#pragma once
#include <string>
#include <vector>

#include "engine/scene/scene.h"

namespace plantwin {

enum class Severity { Error, Warning };

struct Diagnostic {
  std::string file;
  SourceLoc loc;
  Severity severity = Severity::Error;
  std::string message;

  // "FILE:LINE:COLUMN: error: MESSAGE"
  std::string format() const;
};

struct Diagnostics {
  std::vector<Diagnostic> items;

  void error(const std::string& file, SourceLoc loc, std::string message);
  void warning(const std::string& file, SourceLoc loc, std::string message);
  int error_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Sorted by position, so the report reads top to bottom like the file.
  std::vector<Diagnostic> sorted() const;
};

// The closest candidate within a small edit distance, or "" when none is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace plantwin
