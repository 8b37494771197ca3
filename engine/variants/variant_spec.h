// The `variants:` block of a scene (docs/scene-format.md, "Variants"), as the loader read
// and validated it, and the expanded set of variants a batch runs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/scene/source_loc.h"

namespace plantwin {

// What kind of value a parameter takes.
enum class ParamKind {
  Number,    // a plain number (conveyor speed [m/s], length/spacing [m], a distribution's cv, k, shape)
  Duration,  // seconds (a constant process time, a distribution's mean/sd/scale/min/mode/max)
  Count,     // a whole number >= 0 (buffer capacity) or >= 1 (station capacity = servers)
  Position   // [x, y, z] in metres (`element.at`)
};

// A parameter address `element.key` or `element.key.subkey`, resolved against the scene.
struct ParamPath {
  std::string text;     // as written, e.g. "filler.process.mean"
  int element = -1;     // index into Scene::elements
  std::string key;      // "capacity", "process", "interarrival", "speed", "length", "spacing", "at",
                        // "failures.mtbf", "failures.mttr"
  std::string sub;      // distribution parameter ("mean", "sd", "cv", "k", "shape", "scale", "min",
                        // "mode", "max") or "" for the whole value
  ParamKind kind = ParamKind::Number;
  std::string unit;     // "s", "m", "m/s", "1", "parts", "servers"
  SourceLoc loc;        // where the path is written in the variants block
};

struct ParamValue {
  double value = 0;     // Number, Duration (seconds), Count
  Vec3 position{0, 0, 0};
  SourceLoc loc;        // where the value is written (or the path's loc for generated values)
};

struct CaseSpec {
  std::string name;
  SourceLoc loc;
  std::vector<std::pair<ParamPath, ParamValue>> set;
};

struct SweepAxis {
  ParamPath path;
  std::vector<ParamValue> values;  // a list, or {range: [lo, hi], steps: n} expanded to n evenly spaced values
};

struct SampleRange {
  ParamPath path;
  double lo = 0, hi = 0;  // Number, Duration or Count (Count samples are rounded to the nearest whole number)
};

struct SampleSpec {
  bool lhs = true;        // lhs (Latin hypercube) or uniform
  int64_t count = 0;
  std::vector<SampleRange> ranges;
  SourceLoc loc;
};

struct VariantsSpec {
  std::vector<CaseSpec> cases;
  std::vector<SweepAxis> sweep;
  std::optional<SampleSpec> sample;
  bool empty() const { return cases.empty() && sweep.empty() && !sample; }
};

}  // namespace plantwin
