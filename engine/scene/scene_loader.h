// Reads and validates a scene file. Every problem found is collected, never only the first.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "engine/scene/diagnostics.h"
#include "engine/scene/scene.h"

namespace plantwin {

struct LoadResult {
  std::optional<Scene> scene;  // set only when there are no errors
  Diagnostics diagnostics;     // errors and warnings, in any order (use sorted())
};

// The largest scene file plantwin reads: a few hundred thousand elements. The YAML parser
// needs about a hundred times a file's size in memory, so a bound here keeps a wrong file
// (a log, a data dump) from exhausting the machine.
constexpr size_t kMaxSceneBytes = size_t(16) << 20;

// Reads the file at `path` (a missing file, a directory, a device or pipe, a file larger than
// kMaxSceneBytes or unreadable bytes are reported as diagnostics at line 0, without reading
// it) and validates it.
LoadResult load_scene_file(const std::string& path);

// Validates scene text; `path` is only used in messages and kept in Scene::path. Text larger
// than kMaxSceneBytes is refused unparsed.
LoadResult load_scene_text(const std::string& text, const std::string& path);

}  // namespace plantwin
