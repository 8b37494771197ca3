// The typed, validated form of a scene file (docs/scene-format.md). Everything here has
// passed validation: downstream code (model compile, kernels) trusts it and re-checks nothing.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/scene/dist_spec.h"
#include "engine/scene/source_loc.h"
#include "engine/variants/variant_spec.h"

namespace plantwin {

enum class ElementType { Source, Station, Buffer, Conveyor, Sink };
const char* element_type_name(ElementType t);

struct PartType {
  std::string name;
  bool has_size = false;
  Vec3 size{0, 0, 0};  // metres
  double mass_kg = 0;
  std::string shape = "box";
};

struct Element {
  std::string name;
  ElementType type = ElementType::Sink;
  SourceLoc loc;
  bool has_at = false;
  Vec3 at{0, 0, 0};
  int succ = -1;  // index of the element named by `to`; -1 for sinks

  // source
  int part = 0;                 // index into Scene::parts
  bool saturated = true;        // no interarrival given
  DistSpec interarrival;
  int64_t limit = -1;           // -1: unlimited
  bool discard_when_blocked = false;

  // station
  DistSpec process;
  int64_t servers = 1;
  bool has_failures = false;
  DistSpec mtbf, mttr;          // operating time between failures, repair time

  // buffer
  int64_t capacity = 0;
  bool infinite = false;

  // conveyor (lengths resolved by the loader)
  double speed_mps = 0;
  double length_m = 0;
  bool length_given = false;           // the scene writes `length` (only then may a variant set it)
  bool length_from_positions = false;  // derived from `at` here and at `to` (recomputed per variant)
  double spacing_m = 0;
  bool accumulating = true;
};

struct RunSettings {
  double horizon_s = 0;
  double warmup_s = 0;
  int64_t replications = 1;
  uint64_t seed = 1;
};

struct Scene {
  std::string path;  // as given by the user
  std::string text;  // the file's bytes
  std::string name;
  std::string description;
  RunSettings run;
  std::vector<PartType> parts;
  std::vector<Element> elements;  // scene order
  VariantsSpec variants;          // empty: the baseline alone

  int find_element(const std::string& n) const;
};

}  // namespace plantwin
