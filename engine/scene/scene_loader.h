// Reads and validates a scene file. Every problem found is collected, never only the first.
#pragma once
#include <optional>
#include <string>

#include "engine/scene/diagnostics.h"
#include "engine/scene/scene.h"

namespace plantwin {

struct LoadResult {
  std::optional<Scene> scene;  // set only when there are no errors
  Diagnostics diagnostics;     // errors and warnings, in any order (use sorted())
};

// Reads the file at `path` (a missing file, a directory or unreadable bytes are reported as
// diagnostics at line 0) and validates it.
LoadResult load_scene_file(const std::string& path);

// Validates scene text; `path` is only used in messages and kept in Scene::path.
LoadResult load_scene_text(const std::string& text, const std::string& path);

}  // namespace plantwin
