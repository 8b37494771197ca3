// Scene validation: the only place that checks what a scene says (docs/scene-format.md).
// Each check reports FILE:LINE:COLUMN with the element and key it concerns, and goes on,
// so that an author sees every problem of the file in one run.
#include "engine/scene/scene_loader.h"

#include "engine/scene/flow_lint.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <sys/stat.h>

#include "engine/physics/conveyor_geometry.h"
#include "engine/scene/units.h"
#include "engine/variants/variant_set.h"
#include "engine/variants/param_access.h"

namespace plantwin {

const char* element_type_name(ElementType t) {
  switch (t) {
    case ElementType::Source: return "source";
    case ElementType::Station: return "station";
    case ElementType::Buffer: return "buffer";
    case ElementType::Conveyor: return "conveyor";
    case ElementType::Sink: return "sink";
    case ElementType::Assembly: return "assembly";
    case ElementType::Split: return "split";
    case ElementType::Operators: return "operators";
    case ElementType::Robot: return "robot";
  }
  return "?";
}

int Scene::find_element(const std::string& n) const {
  for (size_t i = 0; i < elements.size(); ++i)
    if (elements[i].name == n) return static_cast<int>(i);
  return -1;
}

std::string run_length_problem(const RunSettings& run) {
  if (run.horizon_s + run.warmup_s <= kMaxRunSeconds) return "";
  return "warm-up + horizon is " + format_duration(run.warmup_s + run.horizon_s) +
         "; plantwin simulates at most 1e9 s (31.7 years) per replication";
}

std::vector<int> flow_successors(const Element& e) {
  std::vector<int> v = e.to;
  if (e.rework_to >= 0 && std::find(v.begin(), v.end(), e.rework_to) == v.end()) v.push_back(e.rework_to);
  return v;
}

bool Scene::has_physical_conveyor() const {
  for (const auto& e : elements)
    if (e.type == ElementType::Conveyor && e.physical) return true;
  return false;
}

std::vector<Vec3> conveyor_path_points(const Scene& scene, const Element& e) {
  if (e.path_given) return e.path_points;
  const Vec3 a = e.has_at ? e.at : Vec3{0, 0, 0};
  if (e.length_from_positions && e.succ >= 0) return {a, scene.elements[static_cast<size_t>(e.succ)].at};
  return {a, Vec3{a[0] + e.length_m, a[1], a[2]}};
}

namespace {

SourceLoc loc_of(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  if (m.line < 0) return {0, 0};
  return {m.line + 1, m.column + 1};
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// A key below the one `where` names, inside its quotes:
// ("element 'm1', key 'process'", "mean") -> "element 'm1', key 'process.mean'".
std::string subkey(const std::string& where, const std::string& k) {
  if (!where.empty() && where.back() == '\'') return where.substr(0, where.size() - 1) + "." + k + "'";
  return where + "." + k;
}

// yaml-cpp's syntax messages are terse; say what usually causes them.
std::string explain_yaml_error(const std::string& msg) {
  if (msg == "end of sequence flow not found")
    return msg + ": a '[' opened before this point is never closed";
  if (msg == "end of map flow not found")
    return msg + ": a '{' opened before this point is never closed";
  if (msg == "illegal flow end")
    return msg + ": this ']' or '}' does not match the bracket it should close";
  return msg;
}

std::string describe(const YAML::Node& n) {
  if (n.IsScalar()) return quote(n.Scalar());
  if (n.IsSequence()) return n.size() == 0 ? "an empty list" : "a list";
  if (n.IsMap()) return n.size() == 0 ? "an empty map" : "a map";
  return "nothing";
}

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

const std::regex& name_pattern() {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_.-]*");
  return re;
}

class SceneReader {
 public:
  SceneReader(std::string file, Diagnostics& diag) : file_(std::move(file)), diag_(diag) {}

  void read(const YAML::Node& root, Scene& scene);

 private:
  std::string file_;
  Diagnostics& diag_;

  void error(const YAML::Node& at, const std::string& where, const std::string& msg) {
    diag_.error(file_, loc_of(at), where.empty() ? msg : where + ": " + msg);
  }
  void error_at(SourceLoc at, const std::string& where, const std::string& msg) {
    diag_.error(file_, at, where.empty() ? msg : where + ": " + msg);
  }

  // Reports keys of `map` not in `allowed`; returns false when `map` is not a map.
  bool check_map(const YAML::Node& map, const std::string& where, const std::vector<std::string>& allowed);
  bool require(const YAML::Node& map, const char* key, const std::string& where);

  std::optional<double> number(const YAML::Node& n, const std::string& where);
  std::optional<double> duration(const YAML::Node& n, const std::string& where);
  std::optional<long long> integer(const YAML::Node& n, const std::string& where);
  std::optional<std::string> string(const YAML::Node& n, const std::string& where);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& where);
  std::optional<Vec3> vec3(const YAML::Node& n, const std::string& where);
  // A duration distribution; `what` names it in messages ("process time").
  std::optional<DistSpec> distribution(const YAML::Node& n, const std::string& where);
  std::optional<DistSpec> dist_body(const std::string& family, const YAML::Node& body, const std::string& where);

  void read_run(const YAML::Node& n, RunSettings& run);
  void read_physics(const YAML::Node& n, PhysicsSettings& physics);
  void read_parts(const YAML::Node& n, Scene& scene);
  // A `shifts:` / `shift:` block: work minus breaks, merged and sorted.
  std::optional<Calendar> calendar(const YAML::Node& n, const std::string& where);

  // A name of another element, resolved once every element is read (it may come later).
  struct Ref {
    std::string name;  // "": none given
    YAML::Node node;
  };
  // What one element names of others and where, aligned with Scene::elements.
  struct ElementRefs {
    std::vector<Ref> to;
    bool to_broken = false;                        // an entry that is not text (reported where read)
    std::vector<std::pair<int, Ref>> part_routes;  // (part type, successor) as written
    YAML::Node part_routes_node;
    std::vector<char> routes_listed;               // [parts] by_part routing lists the type
    YAML::Node process_node;                       // `process: {by_part: ...}`
    std::vector<char> process_listed;              // [parts] listed under by_part
    YAML::Node inputs_node;                        // an assembly's `inputs`
    Ref rework_to;
    Ref pools[3];                                  // operators: process, setup, repair
    std::vector<Ref> repair_by;                    // per failure mode; name "" without its own
    std::vector<std::pair<Ref, Ref>> transfers;    // a robot's (from, to)
    std::vector<YAML::Node> transfer_nodes;
  };

  // A part type named by `n`; reports an unknown name with a did-you-mean.
  std::optional<int> part_ref(const YAML::Node& n, const std::string& where, const Scene& scene);
  // A map keyed by part types: `each(part, key, value, where)` for every known, unrepeated key.
  void part_map(const YAML::Node& n, const std::string& where, const Scene& scene,
                const std::function<void(int, const YAML::Node&, const YAML::Node&, const std::string&)>& each);

  void read_element(const std::string& name, const YAML::Node& key, const YAML::Node& n, Scene& scene,
                    ElementRefs& refs);
  void read_routing(const YAML::Node& n, const std::string& w, const Scene& scene, Element& e, ElementRefs& refs);
  void read_source_parts(const YAML::Node& key, const YAML::Node& n, const std::string& w, const Scene& scene,
                         Element& e);
  void read_station_like(const YAML::Node& n, const std::string& w, Scene& scene, Element& e, ElementRefs& refs);
  void read_failures(const YAML::Node& f, const std::string& w, Element& e, ElementRefs& refs);
  void read_robot(const YAML::Node& n, const std::string& w, Element& e, ElementRefs& refs);

  void resolve_graph(Scene& scene, std::vector<ElementRefs>& refs, const YAML::Node& elements_node,
                     const std::set<std::string>& declared);
  // Operators pools, rework targets and part routes, named by element.
  void resolve_names(Scene& scene, std::vector<ElementRefs>& refs, const std::set<std::string>& declared);
  // Which part types can arrive at every element; checks by_part maps and assembly inputs.
  void check_part_flow(Scene& scene, const std::vector<ElementRefs>& refs);
  void resolve_robots(Scene& scene, std::vector<ElementRefs>& refs, const std::set<std::string>& declared);
  // A saturated source whose parts could reach a sink in no time.
  void check_saturated_sources(const Scene& scene);
  void resolve_conveyors(Scene& scene, const std::vector<YAML::Node>& element_nodes);
  // Physical conveyors: the part types riding them (sizes, widths) and their path's geometry.
  void check_physical_conveyors(Scene& scene, const std::vector<YAML::Node>& element_nodes);

  std::unordered_map<std::string, int> index_;  // element name -> index, once the elements are read
  // Scene::find_element through index_: a scan per lookup made big scenes quadratic.
  int find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }
  std::vector<SourceLoc> part_locs_;  // [parts]: where each part type is defined
  std::vector<std::vector<char>> arrive_;  // [elements][parts]: the part types that can reach it
  std::vector<char> dangling_;             // [elements]: a successor it names was not resolved
  bool default_part_ = false;              // no `parts` block: the one part type "part"

  // The `variants:` block (docs/scene-format.md, "Variants"), read after the elements so
  // that paths resolve against them. Value kinds are checked here; value ranges depend on
  // the other values of a variant and are checked by apply_variant.
  struct VariantsContext {
    const Scene& scene;
    const std::vector<YAML::Node>& element_nodes;  // aligned with scene.elements
    const std::set<std::string>& declared;          // names given in the file, even if rejected
  };
  void read_variants(const YAML::Node& n, Scene& scene, const VariantsContext& cx);
  std::optional<ParamPath> param_path(const YAML::Node& key, const std::string& where, const VariantsContext& cx);
  std::optional<ParamValue> param_value(const YAML::Node& n, const ParamPath& p, const std::string& where);
  // A map {path: X}: calls `each` for every resolved path, reporting a parameter given twice.
  void param_map(const YAML::Node& map, const std::string& where, const VariantsContext& cx,
                 const std::function<void(const ParamPath&, const YAML::Node&)>& each);
};

bool SceneReader::check_map(const YAML::Node& map, const std::string& where,
                            const std::vector<std::string>& allowed) {
  if (!map.IsMap()) {
    error(map, where, "expected a map of keys, got " + describe(map));
    return false;
  }
  std::set<std::string> given;
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
      // yaml-cpp keeps both copies and lookups see only the first: never ignore the second.
      if (!given.insert(key).second) error(it->first, where, "key " + quote(key) + " is given twice");
      continue;
    }
    std::string msg = "unknown key " + quote(key);
    std::string hint = did_you_mean(key, allowed);
    if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
    error(it->first, where, msg);
  }
  return true;
}

bool SceneReader::require(const YAML::Node& map, const char* key, const std::string& where) {
  if (map[key]) return true;
  // A misspelling of this key is already reported with a did-you-mean; one message is enough.
  if (map.IsMap())
    for (auto it = map.begin(); it != map.end(); ++it)
      if (it->first.IsScalar() && did_you_mean(it->first.Scalar(), {key}) == key) return false;
  error(map, where, std::string("required key '") + key + "' is missing");
  return false;
}

std::optional<double> SceneReader::number(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar())
    if (auto v = parse_number(n.Scalar())) return v;
  error(n, where, "expected a finite number, got " + describe(n));
  return std::nullopt;
}

std::optional<double> SceneReader::duration(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar())
    if (auto v = parse_duration(n.Scalar())) return v;
  error(n, where, "expected a duration such as 30, \"90s\", \"2.5min\", \"8h\", \"1d\" or \"250ms\", got " +
                      describe(n));
  return std::nullopt;
}

std::optional<long long> SceneReader::integer(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar())
    if (auto v = parse_integer(n.Scalar())) return v;
  error(n, where, "expected a whole number, got " + describe(n));
  return std::nullopt;
}

std::optional<std::string> SceneReader::string(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar()) return n.Scalar();
  error(n, where, "expected text, got " + describe(n));
  return std::nullopt;
}

std::optional<bool> SceneReader::boolean(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  error(n, where, "expected true or false, got " + describe(n));
  return std::nullopt;
}

std::optional<Vec3> SceneReader::vec3(const YAML::Node& n, const std::string& where) {
  if (!n.IsSequence() || n.size() != 3) {
    error(n, where, "expected a position [x, y, z] in metres, got " + describe(n));
    return std::nullopt;
  }
  Vec3 v{};
  bool ok = true;
  for (size_t i = 0; i < 3; ++i) {
    auto c = number(n[i], where);
    if (c) v[i] = *c; else ok = false;
  }
  if (!ok) return std::nullopt;
  return v;
}

const std::vector<std::string>& dist_families() {
  static const std::vector<std::string> f = {"exponential", "uniform", "triangular", "normal",   "lognormal",
                                             "gamma",       "erlang",  "weibull",    "empirical"};
  return f;
}

std::optional<DistSpec> SceneReader::distribution(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar()) {
    auto v = duration(n, where);
    if (!v) return std::nullopt;
    if (*v <= 0) {
      error(n, where, "must be positive, got " + format_duration(*v));
      return std::nullopt;
    }
    DistSpec d;
    d.family = DistFamily::Constant;
    d.value = *v;
    return d;
  }
  if (!n.IsMap() || n.size() != 1) {
    error(n, where,
          "expected a duration or a distribution with one family, such as {exponential: 12min}, got " +
              describe(n));
    return std::nullopt;
  }
  auto it = n.begin();
  std::string family = it->first.IsScalar() ? it->first.Scalar() : "?";
  const auto& fams = dist_families();
  if (std::find(fams.begin(), fams.end(), family) == fams.end()) {
    std::string msg = "unknown distribution " + quote(family);
    std::string hint = did_you_mean(family, fams);
    msg += hint.empty() ? "; expected one of exponential, uniform, triangular, normal, lognormal, gamma, "
                          "erlang, weibull, empirical"
                        : "; did you mean " + quote(hint) + "?";
    error(it->first, where, msg);
    return std::nullopt;
  }
  return dist_body(family, it->second, subkey(where, family));
}

std::optional<DistSpec> SceneReader::dist_body(const std::string& family, const YAML::Node& b,
                                               const std::string& where) {
  DistSpec d;
  auto positive = [&](const YAML::Node& n, const std::string& w, bool is_duration) -> std::optional<double> {
    auto v = is_duration ? duration(n, w) : number(n, w);
    if (v && *v <= 0) {
      error(n, w, "must be positive, got " + (is_duration ? format_duration(*v) : num(*v)));
      return std::nullopt;
    }
    return v;
  };
  auto nonneg = [&](const YAML::Node& n, const std::string& w, bool is_duration) -> std::optional<double> {
    auto v = is_duration ? duration(n, w) : number(n, w);
    if (v && *v < 0) {
      error(n, w, "must not be negative, got " + (is_duration ? format_duration(*v) : num(*v)));
      return std::nullopt;
    }
    return v;
  };
  // {mean, cv} or {mean, sd}: exactly one spread.
  auto mean_and_spread = [&](bool allow_zero_spread) -> bool {
    if (!check_map(b, where, {"mean", "cv", "sd"}) || !require(b, "mean", where)) return false;
    auto m = positive(b["mean"], subkey(where, "mean"), true);
    if (b["cv"] && b["sd"]) {
      error(b["sd"], where, "give either 'cv' or 'sd', not both");
      return false;
    }
    if (!b["cv"] && !b["sd"]) {
      error(b, where, "required key 'cv' (or 'sd') is missing");
      return false;
    }
    std::optional<double> s;
    if (b["cv"]) {
      const std::string wcv = subkey(where, "cv");
      s = allow_zero_spread ? nonneg(b["cv"], wcv, false) : positive(b["cv"], wcv, false);
      d.has_cv = true;
    } else {
      const std::string wsd = subkey(where, "sd");
      s = allow_zero_spread ? nonneg(b["sd"], wsd, true) : positive(b["sd"], wsd, true);
    }
    if (!m || !s) return false;
    d.mean = *m;
    if (d.has_cv) d.cv = *s; else d.sd = *s;
    return true;
  };
  auto pair_or_triple = [&](size_t count, std::vector<double>& out) -> bool {
    if (!b.IsSequence() || b.size() != count) {
      error(b, where,
            count == 2 ? "expected [min, max], got " + describe(b) : "expected [min, mode, max], got " + describe(b));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < count; ++i) {
      auto v = nonneg(b[i], where, true);
      if (v) out.push_back(*v); else ok = false;
    }
    return ok;
  };

  if (family == "exponential") {
    d.family = DistFamily::Exponential;
    auto m = positive(b, where, true);
    if (!m) return std::nullopt;
    d.mean = *m;
  } else if (family == "uniform") {
    d.family = DistFamily::Uniform;
    std::vector<double> v;
    if (!pair_or_triple(2, v)) return std::nullopt;
    if (!(v[0] <= v[1]) || v[1] <= 0) {
      error(b, where, "needs min <= max and max > 0, got [" + format_duration(v[0]) + ", " + format_duration(v[1]) + "]");
      return std::nullopt;
    }
    d.min = v[0];
    d.max = v[1];
  } else if (family == "triangular") {
    d.family = DistFamily::Triangular;
    std::vector<double> v;
    if (!pair_or_triple(3, v)) return std::nullopt;
    if (!(v[0] <= v[1] && v[1] <= v[2] && v[0] < v[2])) {
      error(b, where, "needs min <= mode <= max and min < max, got [" + format_duration(v[0]) + ", " +
                          format_duration(v[1]) + ", " + format_duration(v[2]) + "]");
      return std::nullopt;
    }
    d.min = v[0];
    d.mode = v[1];
    d.max = v[2];
  } else if (family == "normal") {
    d.family = DistFamily::Normal;
    if (!check_map(b, where, {"mean", "sd"}) || !require(b, "mean", where) || !require(b, "sd", where))
      return std::nullopt;
    auto m = positive(b["mean"], subkey(where, "mean"), true);
    auto s = nonneg(b["sd"], subkey(where, "sd"), true);
    if (!m || !s) return std::nullopt;
    d.mean = *m;
    d.sd = *s;
  } else if (family == "lognormal") {
    d.family = DistFamily::Lognormal;
    if (!mean_and_spread(true)) return std::nullopt;
  } else if (family == "gamma") {
    d.family = DistFamily::Gamma;
    if (!mean_and_spread(false)) return std::nullopt;
  } else if (family == "erlang") {
    d.family = DistFamily::Erlang;
    if (!check_map(b, where, {"mean", "k"}) || !require(b, "mean", where) || !require(b, "k", where))
      return std::nullopt;
    auto m = positive(b["mean"], subkey(where, "mean"), true);
    auto k = integer(b["k"], subkey(where, "k"));
    if (k && (*k < 1 || *k > 1000000)) {
      error(b["k"], subkey(where, "k"), "must be a whole number from 1 to 1000000, got " + std::to_string(*k));
      return std::nullopt;
    }
    if (!m || !k) return std::nullopt;
    d.mean = *m;
    d.k = static_cast<int>(*k);
  } else if (family == "weibull") {
    d.family = DistFamily::Weibull;
    if (!check_map(b, where, {"shape", "scale"}) || !require(b, "shape", where) || !require(b, "scale", where))
      return std::nullopt;
    auto sh = positive(b["shape"], subkey(where, "shape"), false);
    auto sc = positive(b["scale"], subkey(where, "scale"), true);
    if (sh && (*sh < 0.05 || *sh > 1000)) {
      error(b["shape"], subkey(where, "shape"), "must be between 0.05 and 1000, got " + num(*sh));
      return std::nullopt;
    }
    if (!sh || !sc) return std::nullopt;
    d.shape = *sh;
    d.scale = *sc;
  } else if (family == "empirical") {
    d.family = DistFamily::Empirical;
    if (!check_map(b, where, {"values", "weights"}) || !require(b, "values", where)) return std::nullopt;
    const YAML::Node& vals = b["values"];
    if (!vals.IsSequence() || vals.size() == 0) {
      error(vals, subkey(where, "values"), "expected a non-empty list of durations, got " + describe(vals));
      return std::nullopt;
    }
    bool ok = true;
    for (size_t i = 0; i < vals.size(); ++i) {
      auto v = nonneg(vals[i], subkey(where, "values"), true);
      if (v) d.values.push_back(*v); else ok = false;
    }
    if (b["weights"]) {
      const YAML::Node& w = b["weights"];
      if (!w.IsSequence() || w.size() != vals.size()) {
        error(w, subkey(where, "weights"),
              "expected a list of " + std::to_string(vals.size()) + " weights, one per value, got " + describe(w));
        return std::nullopt;
      }
      for (size_t i = 0; i < w.size(); ++i) {
        auto v = nonneg(w[i], subkey(where, "weights"), false);
        if (v) d.weights.push_back(*v); else ok = false;
      }
    } else {
      d.weights.assign(d.values.size(), 1.0);
    }
    if (!ok) return std::nullopt;
    double wsum = 0, mean = 0;
    for (size_t i = 0; i < d.values.size(); ++i) {
      wsum += d.weights[i];
      mean += d.weights[i] * d.values[i];
    }
    if (wsum <= 0 || mean <= 0) {
      error(b, where, "weights must sum to more than 0 and the mean value must be positive");
      return std::nullopt;
    }
  }
  return d;
}

void SceneReader::read_run(const YAML::Node& n, RunSettings& run) {
  const std::string w = "key 'run'";
  if (!check_map(n, w, {"horizon", "warmup", "replications", "seed"})) return;
  run.warmup_given = static_cast<bool>(n["warmup"]);
  run.warmup_loc = loc_of(run.warmup_given ? n["warmup"] : n);
  if (require(n, "horizon", w)) {
    if (auto v = duration(n["horizon"], "key 'run.horizon'")) {
      if (*v <= 0) error(n["horizon"], "key 'run.horizon'", "must be positive, got " + format_duration(*v));
      else run.horizon_s = *v;
    }
  }
  if (n["warmup"]) {
    if (auto v = duration(n["warmup"], "key 'run.warmup'")) {
      if (*v < 0) error(n["warmup"], "key 'run.warmup'", "must not be negative, got " + format_duration(*v));
      else run.warmup_s = *v;
    }
  }
  const std::string too_long = run_length_problem(run);
  if (!too_long.empty()) error(n["horizon"], "key 'run.horizon'", too_long);
  if (n["replications"]) {
    if (auto v = integer(n["replications"], "key 'run.replications'")) {
      if (*v < 1 || *v > 100000000)
        error(n["replications"], "key 'run.replications'", "must be from 1 to 100000000, got " + std::to_string(*v));
      else run.replications = *v;
    }
  }
  if (n["seed"]) {
    const YAML::Node& s = n["seed"];
    bool ok = s.IsScalar() && !s.Scalar().empty() && s.Scalar().size() <= 20 &&
              s.Scalar().find_first_not_of("0123456789") == std::string::npos;
    unsigned long long v = 0;
    if (ok) {
      errno = 0;
      v = std::strtoull(s.Scalar().c_str(), nullptr, 10);
      ok = errno != ERANGE;
    }
    if (!ok) error(s, "key 'run.seed'", "expected a whole number from 0 to 18446744073709551615, got " + describe(s));
    else run.seed = v;
  }
}

void SceneReader::read_physics(const YAML::Node& n, PhysicsSettings& ph) {
  const std::string w = "key 'physics'";
  if (!check_map(n, w, {"dt", "substeps", "gravity"})) return;
  ph.given = true;
  if (n["dt"]) {
    if (auto v = duration(n["dt"], "key 'physics.dt'")) {
      if (!(*v > 0 && *v <= 0.05))
        error(n["dt"], "key 'physics.dt'", "must be positive and at most 50 ms, got " + format_duration(*v));
      else ph.dt_s = *v;
    }
  }
  if (n["substeps"]) {
    if (auto v = integer(n["substeps"], "key 'physics.substeps'")) {
      if (*v < 1 || *v > 64)
        error(n["substeps"], "key 'physics.substeps'", "must be a whole number from 1 to 64, got " + std::to_string(*v));
      else ph.substeps = static_cast<int>(*v);
    }
  }
  if (n["gravity"]) {
    if (auto v = number(n["gravity"], "key 'physics.gravity'")) {
      if (*v <= 0)
        error(n["gravity"], "key 'physics.gravity'", "must be positive (m/s^2, pointing along -z), got " + num(*v));
      else ph.gravity = *v;
    }
  }
}

void SceneReader::read_parts(const YAML::Node& n, Scene& scene) {
  if (!n.IsMap() || n.size() == 0) {
    error(n, "key 'parts'", "expected a map of part types, got " + describe(n));
    return;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    PartType p;
    p.name = it->first.Scalar();
    std::string w = "part " + quote(p.name);
    if (!std::regex_match(p.name, name_pattern())) {
      error(it->first, w, "a part name must match [A-Za-z_][A-Za-z0-9_.-]*");
      continue;
    }
    for (const auto& q : scene.parts)
      if (q.name == p.name) error(it->first, w, "defined twice");
    const YAML::Node b = it->second;  // a copy: it-> yields a temporary
    if (!check_map(b, w, {"size", "mass", "shape"})) continue;
    if (b["size"]) {
      if (auto v = vec3(b["size"], w + ", key 'size'")) {
        if ((*v)[0] <= 0 || (*v)[1] <= 0 || (*v)[2] <= 0)
          error(b["size"], w + ", key 'size'", "every side must be positive (metres)");
        else {
          p.has_size = true;
          p.size = *v;
        }
      }
    }
    if (b["mass"]) {
      if (auto v = number(b["mass"], w + ", key 'mass'")) {
        if (*v <= 0) error(b["mass"], w + ", key 'mass'", "must be positive (kg), got " + num(*v));
        else p.mass_kg = *v;
      }
    }
    if (b["shape"]) {
      if (auto s = string(b["shape"], w + ", key 'shape'")) {
        if (*s != "box" && *s != "cylinder")
          error(b["shape"], w + ", key 'shape'", "expected box or cylinder, got " + quote(*s));
        else p.shape = *s;
      }
    }
    scene.parts.push_back(p);
    part_locs_.push_back(loc_of(it->first));
  }
}

const std::vector<std::string>& element_types() {
  static const std::vector<std::string> t = {"source", "station", "buffer",   "conveyor", "sink",
                                             "assembly", "split", "operators", "robot"};
  return t;
}

const std::vector<std::string>& routing_names() {
  static const std::vector<std::string> r = {"round_robin", "shortest_queue", "probability", "by_part"};
  return r;
}

// Failure mode names end up in variant paths (m1.failures.jam.mtbf): no dots.
const std::regex& mode_name_pattern() {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_-]*");
  return re;
}

constexpr long long kMaxOperators = 1000000;    // apply.cpp checks variants with the same limit
constexpr long long kMaxSplitOutputs = 1000;    // parts one split emits per part, in all
constexpr long long kMaxKitQuantity = 1000000;  // of one input type in an assembly's kit

std::string unknown_part(const std::string& name, const Scene& scene) {
  std::vector<std::string> names;
  for (const auto& p : scene.parts) names.push_back(p.name);
  std::string msg = "no part type named " + quote(name);
  std::string hint = did_you_mean(name, names);
  if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
  else if (names.size() == 1 && names[0] == "part") msg += " (declare it under 'parts')";
  return msg;
}

std::string type_phrase(ElementType t) {
  if (t == ElementType::Operators) return "a pool of operators";
  if (t == ElementType::Robot) return "a robot";
  if (t == ElementType::Assembly) return "an assembly";
  return std::string("a ") + element_type_name(t);
}

std::optional<int> SceneReader::part_ref(const YAML::Node& n, const std::string& where, const Scene& scene) {
  auto p = string(n, where);
  if (!p) return std::nullopt;
  for (size_t i = 0; i < scene.parts.size(); ++i)
    if (scene.parts[i].name == *p) return static_cast<int>(i);
  error(n, where, unknown_part(*p, scene));
  return std::nullopt;
}

void SceneReader::part_map(const YAML::Node& n, const std::string& where, const Scene& scene,
                           const std::function<void(int, const YAML::Node&, const YAML::Node&, const std::string&)>& each) {
  if (!n.IsMap()) {
    error(n, where, "expected a map of part types, such as {a: ..., b: ...}, got " + describe(n));
    return;
  }
  if (n.size() == 0) {
    error(n, where, "must name at least one part type");
    return;
  }
  std::set<int> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto p = part_ref(it->first, where, scene);
    if (!p) continue;
    if (!seen.insert(*p).second) {
      error(it->first, where, "part type " + quote(scene.parts[*p].name) + " is given twice");
      continue;
    }
    each(*p, it->first, it->second, subkey(where, scene.parts[*p].name));
  }
}

std::optional<Calendar> SceneReader::calendar(const YAML::Node& n, const std::string& where) {
  if (!check_map(n, where, {"period", "work", "breaks"})) return std::nullopt;
  if (!(require(n, "period", where) & require(n, "work", where))) return std::nullopt;
  Calendar c;
  c.loc = loc_of(n);
  auto period = duration(n["period"], subkey(where, "period"));
  if (period && *period <= 0) {
    error(n["period"], subkey(where, "period"), "must be positive, got " + format_duration(*period));
    return std::nullopt;
  }
  if (!period) return std::nullopt;
  c.period_s = *period;
  using Intervals = std::vector<std::pair<double, double>>;
  auto intervals = [&](const YAML::Node& list, const std::string& w, Intervals& out) -> bool {
    if (!list.IsSequence() || list.size() == 0) {
      error(list, w, "expected a list of intervals [start, end], such as [[6h, 14h]], got " + describe(list));
      return false;
    }
    bool good = true;
    for (const YAML::Node& iv : list) {
      if (!iv.IsSequence() || iv.size() != 2) {
        error(iv, w, "expected an interval [start, end], got " + describe(iv));
        good = false;
        continue;
      }
      auto a = duration(iv[0], w), b = duration(iv[1], w);
      if (!a || !b) {
        good = false;
        continue;
      }
      const std::string shown = "[" + format_duration(*a) + ", " + format_duration(*b) + "]";
      if (*a >= *b) {
        error(iv, w, "start must be before end, got " + shown);
        good = false;
      } else if (*a < 0 || *b > c.period_s) {
        error(iv, w, "must lie within the period [0, " + format_duration(c.period_s) + "], got " + shown);
        good = false;
      } else {
        out.push_back({*a, *b});
      }
    }
    return good;
  };
  // Sorted, with overlapping or touching intervals joined.
  auto merge = [](Intervals& v) {
    std::sort(v.begin(), v.end());
    Intervals m;
    for (const auto& iv : v) {
      if (!m.empty() && iv.first <= m.back().second) m.back().second = std::max(m.back().second, iv.second);
      else m.push_back(iv);
    }
    v = std::move(m);
  };
  Intervals work, breaks;
  bool ok = intervals(n["work"], subkey(where, "work"), work);
  if (n["breaks"]) ok &= intervals(n["breaks"], subkey(where, "breaks"), breaks);
  if (!ok) return std::nullopt;
  merge(work);
  merge(breaks);
  for (const auto& [a, b] : work) {
    double cur = a;
    for (const auto& [x, y] : breaks) {
      if (y <= cur || x >= b) continue;
      if (x > cur) c.work.push_back({cur, x});
      cur = std::max(cur, y);
      if (cur >= b) break;
    }
    if (cur < b) c.work.push_back({cur, b});
  }
  if (c.work.empty()) {
    error(n, where, "no working time is left once the breaks are taken out");
    return std::nullopt;
  }
  return c;
}

void SceneReader::read_element(const std::string& name, const YAML::Node& key, const YAML::Node& n, Scene& scene,
                               ElementRefs& refs) {
  Element e;
  e.name = name;
  e.loc = loc_of(key);
  const std::string w = "element " + quote(name);
  auto kw = [&](const char* k) { return w + ", key '" + k + "'"; };
  if (!n.IsMap()) {
    error(n, w, "expected a map of keys, got " + describe(n));
    return;
  }
  if (!n["type"]) {
    error(key, w,
          "required key 'type' is missing (source, station, buffer, conveyor, sink, assembly, split, operators or "
          "robot)");
    return;
  }
  std::string type = n["type"].IsScalar() ? n["type"].Scalar() : "";
  using Keys = std::vector<std::string>;
  auto join = [](Keys a, const Keys& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  static const Keys flow = {"type", "at", "to", "routing", "weights", "part_routes"};
  static const Keys station = join(flow, {"process", "capacity", "failures", "setup", "scrap", "rework", "operators",
                                          "shift"});
  static const std::map<std::string, Keys> keys = {
      {"source", join(flow, {"part", "mix", "sequence", "interarrival", "limit", "when_blocked"})},
      {"station", station},
      {"assembly", join(station, {"inputs", "part"})},
      {"split", join(station, {"outputs"})},
      {"buffer", join(flow, {"capacity"})},
      {"conveyor", join(flow, {"speed", "length", "path", "spacing", "accumulating", "model", "friction", "width"})},
      // 'to' on these is reported on its own below
      {"sink", {"type", "at", "to"}},
      {"operators", {"type", "at", "to", "count"}},
      {"robot", {"type", "at", "to", "reach", "speed", "acceleration", "grip", "release", "transfers"}}};
  auto kt = keys.find(type);
  if (kt == keys.end()) {
    std::string msg = "unknown element type " + describe(n["type"]);
    std::string hint = did_you_mean(type, element_types());
    msg += hint.empty() ? "; expected source, station, buffer, conveyor, sink, assembly, split, operators or robot"
                        : "; did you mean " + quote(hint) + "?";
    error(n["type"], kw("type"), msg);
    return;
  }
  static const std::map<std::string, ElementType> types = {
      {"source", ElementType::Source},     {"station", ElementType::Station},   {"buffer", ElementType::Buffer},
      {"conveyor", ElementType::Conveyor}, {"sink", ElementType::Sink},         {"assembly", ElementType::Assembly},
      {"split", ElementType::Split},       {"operators", ElementType::Operators}, {"robot", ElementType::Robot}};
  e.type = types.at(type);

  if (n["to"]) {
    if (e.type == ElementType::Sink)
      error(n["to"], kw("to"), "a sink removes parts and feeds nothing; remove 'to'");
    else if (e.type == ElementType::Operators)
      error(n["to"], kw("to"), "operators are a pool of workers, not part of the flow; remove 'to'");
    else if (e.type == ElementType::Robot)
      error(n["to"], kw("to"), "a robot moves parts along the edges listed in 'transfers'; remove 'to'");
  }
  check_map(n, w, kt->second);

  if (n["at"]) {
    if (auto v = vec3(n["at"], kw("at"))) {
      e.has_at = true;
      e.at = *v;
    }
  }
  if (e.type != ElementType::Sink && is_flow_element(e.type)) {
    if (!n["to"]) error(key, w, "required key 'to' is missing (the element that receives its parts)");
    else read_routing(n, w, scene, e, refs);
  }

  switch (e.type) {
    case ElementType::Source: {
      read_source_parts(key, n, w, scene, e);
      if (n["interarrival"]) {
        if (auto d = distribution(n["interarrival"], kw("interarrival"))) {
          e.saturated = false;
          e.interarrival = *d;
        }
      }
      if (n["limit"]) {
        if (auto v = integer(n["limit"], kw("limit"))) {
          if (*v < 1) error(n["limit"], kw("limit"), "must be at least 1 part, got " + std::to_string(*v));
          else e.limit = *v;
        }
      }
      if (n["when_blocked"]) {
        if (auto s = string(n["when_blocked"], kw("when_blocked"))) {
          if (*s == "discard") e.discard_when_blocked = true;
          else if (*s != "wait") {
            std::string hint = did_you_mean(*s, {"wait", "discard"});
            error(n["when_blocked"], kw("when_blocked"),
                  "expected wait or discard, got " + quote(*s) + (hint.empty() ? "" : "; did you mean " + quote(hint) + "?"));
          }
        }
      }
      if (e.discard_when_blocked && e.saturated)
        error(n["when_blocked"], kw("when_blocked"),
              "discard needs an 'interarrival': a saturated source releases a part only when it can leave");
      break;
    }
    case ElementType::Station:
    case ElementType::Assembly:
    case ElementType::Split:
      read_station_like(n, w, scene, e, refs);
      break;
    case ElementType::Buffer: {
      bool capacity_ok = false;
      if (require(n, "capacity", w)) {
        const YAML::Node& c = n["capacity"];
        if (c.IsScalar() && (c.Scalar() == "inf" || c.Scalar() == ".inf")) {
          e.infinite = true;
        } else if (auto v = integer(c, kw("capacity"))) {
          if (*v < 0 || *v > 100000000)
            error(c, kw("capacity"), "must be a whole number from 0 to 100000000, or inf; got " + std::to_string(*v));
          else {
            e.capacity = *v;
            capacity_ok = true;
          }
        }
      }
      // It hands each part on at the instant it takes it: to one place only.
      if (capacity_ok && e.capacity == 0 && n["to"] && n["to"].IsSequence() && n["to"].size() > 1)
        error(n["to"], kw("to"), "a buffer of capacity 0 passes each part straight on and needs exactly one successor");
      break;
    }
    case ElementType::Conveyor: {
      if (n["model"]) {
        if (auto s = string(n["model"], kw("model"))) {
          if (*s == "physics") {
            e.physical = true;
          } else if (*s != "kinematic") {
            std::string hint = did_you_mean(*s, {"kinematic", "physics"});
            error(n["model"], kw("model"),
                  "expected kinematic or physics, got " + quote(*s) + (hint.empty() ? "" : "; did you mean " + quote(hint) + "?"));
          }
        }
      }
      const bool says_physics = n["model"] && n["model"].IsScalar() && n["model"].Scalar() == "physics";
      for (const char* k : {"friction", "width"})
        if (n[k] && !says_physics)
          error(n[k], kw(k),
                std::string("applies only to model: physics conveyors; add 'model: physics' or remove it"));
      if (n["friction"] && says_physics) {
        if (auto v = number(n["friction"], kw("friction"))) {
          if (!(*v > 0 && *v <= 5))
            error(n["friction"], kw("friction"),
                  "must be above 0 and at most 5 (a Coulomb coefficient), got " + num(*v));
          else e.friction = *v;
        }
      }
      if (n["width"] && says_physics) {
        if (auto v = number(n["width"], kw("width"))) {
          if (*v <= 0) error(n["width"], kw("width"), "must be positive (m), got " + num(*v));
          else e.width_m = *v;
        }
      }
      if (require(n, "speed", w)) {
        if (auto v = number(n["speed"], kw("speed"))) {
          if (*v <= 0) error(n["speed"], kw("speed"), "must be positive (m/s), got " + num(*v));
          else e.speed_mps = *v;
        }
      }
      if (n["length"] && n["path"]) error(n["path"], kw("path"), "give either 'length' or 'path', not both");
      if (n["length"]) {
        e.length_given = true;
        if (auto v = number(n["length"], kw("length"))) {
          if (*v <= 0) error(n["length"], kw("length"), "must be positive (m), got " + num(*v));
          else e.length_m = *v;
        }
      } else if (n["path"]) {
        const YAML::Node& p = n["path"];
        if (!p.IsSequence() || p.size() < 2) {
          error(p, kw("path"), "expected a list of at least two points [x, y, z], got " + describe(p));
        } else {
          double len = 0;
          bool ok = true;
          Vec3 prev{};
          std::vector<Vec3> points;
          for (size_t i = 0; i < p.size(); ++i) {
            auto v = vec3(p[i], kw("path"));
            if (!v) { ok = false; continue; }
            if (i > 0) len += std::sqrt(std::pow((*v)[0] - prev[0], 2) + std::pow((*v)[1] - prev[1], 2) +
                                        std::pow((*v)[2] - prev[2], 2));
            prev = *v;
            points.push_back(*v);
          }
          if (ok && len <= 0) error(p, kw("path"), "has zero length");
          else if (ok) {
            e.length_m = len;
            e.path_given = true;
            e.path_points = std::move(points);
          }
        }
      }
      if (n["spacing"]) {
        if (auto v = number(n["spacing"], kw("spacing"))) {
          if (*v <= 0) error(n["spacing"], kw("spacing"), "must be positive (m), got " + num(*v));
          else e.spacing_m = *v;
        }
      }
      if (n["accumulating"])
        if (auto b = boolean(n["accumulating"], kw("accumulating"))) e.accumulating = *b;
      break;
    }
    case ElementType::Sink:
      break;
    case ElementType::Operators:
      if (require(n, "count", w))
        if (auto v = integer(n["count"], kw("count"))) {
          if (*v < 1 || *v > kMaxOperators)
            error(n["count"], kw("count"),
                  "must be a whole number from 1 to " + std::to_string(kMaxOperators) + ", got " + std::to_string(*v));
          else e.count = *v;
        }
      break;
    case ElementType::Robot:
      read_robot(n, w, e, refs);
      break;
  }
  scene.elements.push_back(e);
}

void SceneReader::read_routing(const YAML::Node& n, const std::string& w, const Scene& scene, Element& e,
                               ElementRefs& refs) {
  const std::string tw = w + ", key 'to'";
  const YAML::Node& t = n["to"];
  if (t.IsScalar()) {
    refs.to.push_back({t.Scalar(), t});
  } else if (t.IsSequence() && t.size() > 0) {
    for (const YAML::Node& x : t) {
      if (!x.IsScalar()) {
        error(x, tw, "expected an element name, got " + describe(x));
        refs.to_broken = true;
        continue;
      }
      bool twice = false;
      for (const auto& r : refs.to) twice |= r.name == x.Scalar();
      if (twice) {
        error(x, tw, "names " + quote(x.Scalar()) + " twice; list each successor once");
        refs.to_broken = true;
        continue;
      }
      refs.to.push_back({x.Scalar(), x});
    }
  } else {
    error(t, tw, "expected an element name or a list of element names, got " + describe(t));
    refs.to_broken = true;
    return;
  }
  const size_t count = t.IsSequence() ? t.size() : 1;

  std::optional<Routing> routing;  // as written
  bool routing_bad = false;        // reported: say nothing more about weights or part_routes
  if (n["routing"]) {
    const std::string rw = w + ", key 'routing'";
    if (auto r = string(n["routing"], rw)) {
      if (*r == "round_robin") routing = Routing::RoundRobin;
      else if (*r == "shortest_queue") routing = Routing::ShortestQueue;
      else if (*r == "probability") routing = Routing::Probability;
      else if (*r == "by_part") routing = Routing::ByPart;
      else {
        std::string hint = did_you_mean(*r, routing_names());
        error(n["routing"], rw,
              "unknown routing " + quote(*r) +
                  (hint.empty() ? "; expected round_robin, shortest_queue, probability or by_part"
                                : "; did you mean " + quote(hint) + "?"));
      }
    }
    routing_bad = !routing;
  } else if (count > 1) {
    error(t, tw, "several successors need `routing:` (round_robin, shortest_queue, probability or by_part)");
    routing_bad = true;
  }

  const std::string ww = w + ", key 'weights'";
  // With one successor the routing has no effect: its map may be left out.
  if (routing == Routing::Probability) {
    if ((count > 1 || n["weights"]) && require(n, "weights", w)) {
      const YAML::Node& wt = n["weights"];
      if (!wt.IsSequence() || wt.size() != count) {
        error(wt, ww,
              "expected " + std::to_string(count) + (count == 1 ? " weight" : " weights") + ", one per 'to' entry, got " +
                  (wt.IsSequence() ? std::to_string(wt.size()) : describe(wt)));
      } else {
        bool ok = true;
        double sum = 0;
        std::vector<double> v;
        for (const YAML::Node& x : wt) {
          auto f = number(x, ww);
          if (f && *f < 0) {
            error(x, ww, "must not be negative, got " + num(*f));
            f.reset();
          }
          if (!f) {
            ok = false;
            continue;
          }
          v.push_back(*f);
          sum += *f;
        }
        if (ok && sum <= 0) error(wt, ww, "must sum to more than 0");
        else if (ok) {
          for (auto& x : v) x /= sum;
          e.weights = std::move(v);
        }
      }
    }
  } else if (n["weights"] && !routing_bad) {
    error(n["weights"], ww, "applies only to routing: probability");
  }

  const std::string pw = w + ", key 'part_routes'";
  if (routing == Routing::ByPart) {
    if ((count > 1 || n["part_routes"]) && require(n, "part_routes", w)) {
      refs.part_routes_node = n["part_routes"];
      refs.routes_listed.assign(scene.parts.size(), 0);
      part_map(n["part_routes"], pw, scene, [&](int p, const YAML::Node&, const YAML::Node& v, const std::string& where) {
        refs.routes_listed[static_cast<size_t>(p)] = 1;
        if (auto s = string(v, where)) refs.part_routes.push_back({p, Ref{*s, v}});
      });
    }
  } else if (n["part_routes"] && !routing_bad) {
    error(n["part_routes"], pw, "applies only to routing: by_part");
  }
  if (routing) e.routing = *routing;
}

void SceneReader::read_source_parts(const YAML::Node& key, const YAML::Node& n, const std::string& w,
                                    const Scene& scene, Element& e) {
  auto kw = [&](const char* k) { return w + ", key '" + k + "'"; };
  const char* given = nullptr;
  for (const char* k : {"part", "mix", "sequence"}) {
    if (!n[k]) continue;
    if (given) {
      error(n[k], kw(k), std::string("give one of 'part', 'mix' and 'sequence', not both '") + given + "' and '" + k + "'");
      return;
    }
    given = k;
  }
  if (!given) {
    if (scene.parts.size() > 1)
      error(key, w,
            "required key 'part' is missing: the scene declares several part types (or give 'mix' or 'sequence')");
    return;
  }
  if (n["part"]) {
    if (auto p = part_ref(n["part"], kw("part"), scene)) e.part = *p;
  } else if (n["mix"]) {
    std::vector<double> mix(scene.parts.size(), 0);
    double sum = 0;
    int first = -1;
    bool ok = true;
    part_map(n["mix"], kw("mix"), scene, [&](int p, const YAML::Node&, const YAML::Node& v, const std::string& pw) {
      auto x = number(v, pw);
      if (x && *x < 0) {
        error(v, pw, "must not be negative, got " + num(*x));
        x.reset();
      }
      if (!x) {
        ok = false;
        return;
      }
      mix[static_cast<size_t>(p)] = *x;
      sum += *x;
      if (first < 0) first = p;
    });
    if (ok && first >= 0) {
      if (sum <= 0) {
        error(n["mix"], kw("mix"), "the weights must sum to more than 0");
      } else {
        for (auto& x : mix) x /= sum;
        e.mix = std::move(mix);
        e.part = first;
      }
    }
  } else {
    const YAML::Node& q = n["sequence"];
    if (!q.IsSequence() || q.size() == 0) {
      error(q, kw("sequence"), "expected a list of part types, such as [a, b, b], got " + describe(q));
      return;
    }
    std::vector<int> seq;
    for (const YAML::Node& x : q)
      if (auto p = part_ref(x, kw("sequence"), scene)) seq.push_back(*p);
    if (seq.size() == q.size()) {
      e.part = seq[0];
      e.sequence = std::move(seq);
    }
  }
}

void SceneReader::read_station_like(const YAML::Node& n, const std::string& w, Scene& scene, Element& e,
                                    ElementRefs& refs) {
  auto kw = [&](const char* k) { return w + ", key '" + k + "'"; };
  const size_t P = scene.parts.size();
  if (require(n, "process", w)) {
    const YAML::Node& pn = n["process"];
    if (pn.IsMap() && pn["by_part"]) {
      if (check_map(pn, kw("process"), {"by_part"})) {
        refs.process_node = pn["by_part"];
        refs.process_listed.assign(P, 0);
        std::vector<DistSpec> by(P);  // unlisted: constant 0, never used (no such part arrives)
        part_map(pn["by_part"], subkey(kw("process"), "by_part"), scene,
                 [&](int p, const YAML::Node&, const YAML::Node& v, const std::string& pw) {
                   refs.process_listed[static_cast<size_t>(p)] = 1;
                   if (auto d = distribution(v, pw)) by[static_cast<size_t>(p)] = *d;
                 });
        e.process_by_part = std::move(by);
      }
    } else if (auto d = distribution(pn, kw("process"))) {
      e.process = *d;
    }
  }
  if (n["capacity"]) {
    if (auto v = integer(n["capacity"], kw("capacity"))) {
      if (*v < 1 || *v > 4096)
        error(n["capacity"], kw("capacity"), "parallel servers must be from 1 to 4096, got " + std::to_string(*v));
      else e.servers = *v;
    }
  }
  if (n["failures"]) read_failures(n["failures"], w, e, refs);
  if (n["setup"]) {
    const YAML::Node& sn = n["setup"];
    if (sn.IsMap() && sn["table"]) {
      if (check_map(sn, kw("setup"), {"table"})) {
        std::vector<DistSpec> table(P * P);  // pairs not listed: constant 0
        bool ok = true;
        part_map(sn["table"], subkey(kw("setup"), "table"), scene,
                 [&](int from, const YAML::Node&, const YAML::Node& row, const std::string& rw) {
                   part_map(row, rw, scene, [&](int to, const YAML::Node& k, const YAML::Node& v, const std::string& cw) {
                     if (to == from) {
                       error(k, cw, "a part type needs no setup to follow itself; remove it");
                       ok = false;
                     } else if (auto d = distribution(v, cw)) {
                       table[static_cast<size_t>(from) * P + static_cast<size_t>(to)] = *d;
                     } else {
                       ok = false;
                     }
                   });
                 });
        if (ok) {
          e.has_setup = true;
          e.setup_by_pair = true;
          e.setup_table = std::move(table);
        }
      }
    } else if (auto d = distribution(sn, kw("setup"))) {
      e.has_setup = true;
      e.setup = *d;
    }
  }
  auto probability = [&](const YAML::Node& v, const std::string& pw) -> std::optional<double> {
    auto x = number(v, pw);
    if (x && !(*x >= 0 && *x < 1)) {
      error(v, pw, "must be a probability from 0 up to (not including) 1, got " + num(*x));
      return std::nullopt;
    }
    return x;
  };
  if (n["scrap"])
    if (auto x = probability(n["scrap"], kw("scrap"))) e.scrap_p = *x;
  if (n["rework"]) {
    const YAML::Node& r = n["rework"];
    const std::string rw = kw("rework");
    if (check_map(r, rw, {"p", "to"}) && (require(r, "p", rw) & require(r, "to", rw))) {
      if (auto x = probability(r["p"], subkey(rw, "p"))) {
        if (!(e.scrap_p + *x < 1))
          error(r["p"], subkey(rw, "p"), "scrap + rework.p must be below 1, got " + num(e.scrap_p) + " + " + num(*x));
        else e.rework_p = *x;
      }
      if (auto t = string(r["to"], subkey(rw, "to"))) refs.rework_to = {*t, r["to"]};
    }
  }
  if (n["operators"]) {
    const YAML::Node& o = n["operators"];
    if (check_map(o, kw("operators"), {"process", "setup", "repair"})) {
      const char* activities[3] = {"process", "setup", "repair"};
      for (int i = 0; i < 3; ++i)
        if (o[activities[i]])
          if (auto s = string(o[activities[i]], subkey(kw("operators"), activities[i])))
            refs.pools[i] = {*s, o[activities[i]]};
    }
  }
  if (n["shift"]) {
    const YAML::Node& sh = n["shift"];
    if (sh.IsScalar()) {
      if (sh.Scalar() == "always") e.shift = -1;
      else
        error(sh, kw("shift"),
              "expected a calendar {period, work, breaks} or always, got " + describe(sh) +
                  (did_you_mean(sh.Scalar(), {"always"}).empty() ? "" : "; did you mean 'always'?"));
    } else if (auto c = calendar(sh, kw("shift"))) {
      scene.calendars.push_back(*c);
      e.shift = static_cast<int>(scene.calendars.size()) - 1;
    }
  }

  if (e.type == ElementType::Assembly) {
    if (require(n, "inputs", w)) {
      refs.inputs_node = n["inputs"];
      std::vector<int64_t> inputs(P, 0);
      int first = -1;
      part_map(n["inputs"], kw("inputs"), scene, [&](int p, const YAML::Node&, const YAML::Node& v, const std::string& pw) {
        auto q = integer(v, pw);
        if (q && (*q < 1 || *q > kMaxKitQuantity)) {
          error(v, pw, "must be a whole number from 1 to " + std::to_string(kMaxKitQuantity) + ", got " + std::to_string(*q));
          q.reset();
        }
        if (!q) return;
        inputs[static_cast<size_t>(p)] = *q;
        if (first < 0) first = p;
      });
      if (first >= 0) {
        e.inputs = std::move(inputs);
        e.base_input = first;
        e.part = first;  // the output type unless `part` says otherwise
      }
    }
    if (n["part"])
      if (auto p = part_ref(n["part"], kw("part"), scene)) e.part = *p;
  }
  if (e.type == ElementType::Split && require(n, "outputs", w)) {
    std::vector<int> outputs;
    long long total = 0;
    part_map(n["outputs"], kw("outputs"), scene, [&](int p, const YAML::Node&, const YAML::Node& v, const std::string& pw) {
      auto q = integer(v, pw);
      if (q && (*q < 1 || *q > kMaxSplitOutputs)) {
        error(v, pw, "must be a whole number from 1 to " + std::to_string(kMaxSplitOutputs) + ", got " + std::to_string(*q));
        q.reset();
      }
      if (!q) return;
      total += *q;
      for (long long i = 0; i < *q; ++i) outputs.push_back(p);
    });
    if (total > kMaxSplitOutputs)
      error(n["outputs"], kw("outputs"),
            "at most " + std::to_string(kMaxSplitOutputs) + " parts in all, got " + std::to_string(total));
    else e.outputs = std::move(outputs);
  }
}

void SceneReader::read_failures(const YAML::Node& f, const std::string& w, Element& e, ElementRefs& refs) {
  const std::string fw = w + ", key 'failures'";
  auto mode = [&](const YAML::Node& m, const std::string& name, const std::string& mw, bool in_list) {
    std::vector<std::string> allowed = {"mtbf", "mttr", "basis", "repair_by"};
    if (in_list) allowed.insert(allowed.begin(), "name");
    if (!check_map(m, mw, allowed)) return;
    if (!(require(m, "mtbf", mw) & require(m, "mttr", mw))) return;
    FailureMode fm;
    fm.name = name;
    fm.loc = loc_of(m);
    auto a = distribution(m["mtbf"], subkey(mw, "mtbf"));
    auto b = distribution(m["mttr"], subkey(mw, "mttr"));
    bool ok = a && b;
    if (m["basis"]) {
      auto s = string(m["basis"], subkey(mw, "basis"));
      if (s && *s == "calendar") fm.calendar = true;
      else if (s && *s != "operating") {
        std::string hint = did_you_mean(*s, {"operating", "calendar"});
        error(m["basis"], subkey(mw, "basis"),
              "expected operating or calendar, got " + quote(*s) + (hint.empty() ? "" : "; did you mean " + quote(hint) + "?"));
        ok = false;
      } else if (!s) {
        ok = false;
      }
    }
    Ref repair_by;
    if (m["repair_by"]) {
      if (auto s = string(m["repair_by"], subkey(mw, "repair_by"))) repair_by = {*s, m["repair_by"]};
      else ok = false;
    }
    if (!ok) return;
    fm.mtbf = *a;
    fm.mttr = *b;
    e.failures.push_back(fm);
    refs.repair_by.push_back(repair_by);
  };
  if (!f.IsSequence()) {
    mode(f, "failure", fw, false);
    return;
  }
  if (f.size() == 0) {
    error(f, fw, "expected {mtbf, mttr} or a list of failure modes, got an empty list");
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < f.size(); ++i) {
    const YAML::Node& m = f[i];
    std::string name = "failure" + std::to_string(i + 1);
    if (m.IsMap() && m["name"]) {
      auto s = string(m["name"], subkey(fw, "name"));
      if (!s) continue;
      if (!std::regex_match(*s, mode_name_pattern())) {
        error(m["name"], subkey(fw, "name"), "a failure mode name must match [A-Za-z_][A-Za-z0-9_-]*");
        continue;
      }
      name = *s;
    }
    if (!names.insert(name).second) {
      error(m.IsMap() && m["name"] ? m["name"] : m, fw, "failure mode " + quote(name) + " is defined twice; names are unique");
      continue;
    }
    mode(m, name, subkey(fw, name), true);
  }
}

void SceneReader::read_robot(const YAML::Node& n, const std::string& w, Element& e, ElementRefs& refs) {
  auto kw = [&](const char* k) { return w + ", key '" + k + "'"; };
  require(n, "at", w);  // read with every element's `at`
  auto positive = [&](const char* k, const char* unit, double& out) {
    if (!require(n, k, w)) return;
    if (auto v = number(n[k], kw(k))) {
      if (*v <= 0) error(n[k], kw(k), std::string("must be positive (") + unit + "), got " + num(*v));
      else out = *v;
    }
  };
  positive("reach", "m", e.reach_m);
  positive("speed", "m/s", e.speed_mps_robot);
  positive("acceleration", "m/s^2", e.accel_mps2);
  for (const char* k : {"grip", "release"}) {
    if (!n[k]) continue;
    if (auto v = duration(n[k], kw(k))) {
      if (*v < 0) error(n[k], kw(k), "must not be negative, got " + format_duration(*v));
      else (std::string(k) == "grip" ? e.grip_s : e.release_s) = *v;
    }
  }
  if (!require(n, "transfers", w)) return;
  const YAML::Node& t = n["transfers"];
  const std::string tw = kw("transfers");
  if (!t.IsSequence() || t.size() == 0) {
    error(t, tw, "expected a list of transfers such as [{from: m1, to: m2}], got " + describe(t));
    return;
  }
  for (const YAML::Node& x : t) {
    if (!check_map(x, tw, {"from", "to"}) || !(require(x, "from", tw) & require(x, "to", tw))) continue;
    auto from = string(x["from"], subkey(tw, "from"));
    auto to = string(x["to"], subkey(tw, "to"));
    if (!from || !to) continue;
    refs.transfers.push_back({Ref{*from, x["from"]}, Ref{*to, x["to"]}});
    refs.transfer_nodes.push_back(x);
  }
}

// The flow edges out of element i: every `to` entry, then the rework target.
std::vector<int> out_edges(const Scene& scene, int i) { return flow_successors(scene.elements[static_cast<size_t>(i)]); }

void SceneReader::resolve_graph(Scene& scene, std::vector<ElementRefs>& refs, const YAML::Node& elements_node,
                                const std::set<std::string>& declared) {
  // `declared`: every element named in the file, including those rejected for their own
  // errors; a 'to' naming one of those is not reported again.
  index_.clear();
  for (size_t i = 0; i < scene.elements.size(); ++i) index_.emplace(scene.elements[i].name, static_cast<int>(i));
  std::vector<std::string> names;  // did-you-mean candidates, scene order first
  for (const auto& e : scene.elements) names.push_back(e.name);
  for (const auto& d : declared)
    if (find(d) < 0) names.push_back(d);
  const int E = static_cast<int>(scene.elements.size());
  dangling_.assign(static_cast<size_t>(E), 0);
  for (int i = 0; i < E; ++i) {
    Element& e = scene.elements[static_cast<size_t>(i)];
    const ElementRefs& r = refs[static_cast<size_t>(i)];
    if (e.type == ElementType::Sink || !is_flow_element(e.type)) continue;
    if (r.to.empty() || r.to_broken) dangling_[static_cast<size_t>(i)] = 1;  // a missing or broken 'to' is already reported
    const std::string w = "element " + quote(e.name) + ", key 'to'";
    for (const Ref& t : r.to) {
      const int idx = find(t.name);
      bool ok = false;
      if (idx < 0 && declared.count(t.name)) {
        // the element exists but was rejected; its own error is reported
      } else if (idx < 0) {
        std::string msg = "no element named " + quote(t.name);
        std::string hint = did_you_mean(t.name, names);
        if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
        error(t.node, w, msg);
      } else if (idx == i) {
        error(t.node, w, "an element cannot feed itself");
      } else if (scene.elements[static_cast<size_t>(idx)].type == ElementType::Source) {
        error(t.node, w, "feeds source " + quote(t.name) + "; a source receives no parts");
      } else if (!is_flow_element(scene.elements[static_cast<size_t>(idx)].type)) {
        error(t.node, w, quote(t.name) + " is " + type_phrase(scene.elements[static_cast<size_t>(idx)].type) +
                             ", not an element that receives parts");
      } else {
        e.to.push_back(idx);
        ok = true;
      }
      if (!ok) dangling_[static_cast<size_t>(i)] = 1;
    }
    e.succ = e.to.empty() ? -1 : e.to[0];
    if (r.to.size() == 1 && !r.to_broken) {  // one successor: there is nothing to choose
      e.routing = Routing::Single;
      e.weights.clear();
    }
  }
  resolve_names(scene, refs, declared);

  bool any_source = false, any_sink = false;
  for (const auto& e : scene.elements) {
    any_source |= e.type == ElementType::Source;
    any_sink |= e.type == ElementType::Sink;
  }
  if (!any_source) error(elements_node, "key 'elements'", "the scene has no source: nothing would enter the line");
  if (!any_sink) error(elements_node, "key 'elements'", "the scene has no sink: no part could leave the line");
  if (!any_source || !any_sink) return;

  // Every element must lead to a sink, else its parts pile up forever. Reverse searches over
  // every edge: which elements reach a sink, and which reach a broken reference (reported there).
  std::vector<std::vector<int>> pred(static_cast<size_t>(E));
  for (int i = 0; i < E; ++i)
    for (int j : out_edges(scene, i)) pred[static_cast<size_t>(j)].push_back(i);
  auto backwards = [&](const std::function<bool(int)>& start) {
    std::vector<char> mark(static_cast<size_t>(E), 0);
    std::vector<int> stack;
    for (int i = 0; i < E; ++i)
      if (start(i)) {
        mark[static_cast<size_t>(i)] = 1;
        stack.push_back(i);
      }
    while (!stack.empty()) {
      const int j = stack.back();
      stack.pop_back();
      for (int p : pred[static_cast<size_t>(j)])
        if (!mark[static_cast<size_t>(p)]) {
          mark[static_cast<size_t>(p)] = 1;
          stack.push_back(p);
        }
    }
    return mark;
  };
  const std::vector<char> to_sink = backwards([&](int i) { return scene.elements[static_cast<size_t>(i)].type == ElementType::Sink; });
  const std::vector<char> to_broken = backwards([&](int i) { return dangling_[static_cast<size_t>(i)] != 0; });
  for (int i = 0; i < E; ++i) {
    const Element& e = scene.elements[static_cast<size_t>(i)];
    if (e.type == ElementType::Sink || !is_flow_element(e.type)) continue;
    if (to_sink[static_cast<size_t>(i)] || to_broken[static_cast<size_t>(i)]) continue;
    // Every way from here ends in a circle; follow the first edges to show one.
    std::vector<int> pos(static_cast<size_t>(E), -1), walk;
    bool chain = true;  // one edge out of every element on the way: the single 'to' chain
    int cur = i;
    while (pos[static_cast<size_t>(cur)] < 0) {
      pos[static_cast<size_t>(cur)] = static_cast<int>(walk.size());
      walk.push_back(cur);
      const std::vector<int> next = out_edges(scene, cur);
      chain &= next.size() == 1;
      cur = next[0];
    }
    std::string circle;
    for (size_t k = static_cast<size_t>(pos[static_cast<size_t>(cur)]); k < walk.size(); ++k)
      circle += scene.elements[static_cast<size_t>(walk[k])].name + " -> ";
    circle += scene.elements[static_cast<size_t>(cur)].name;
    error_at(e.loc, "element " + quote(e.name),
             chain ? "no sink can be reached from it: its 'to' chain runs in a circle (" + circle + ")"
                   : "no sink can be reached from it: every way from it ends in a circle, such as (" + circle + ")");
  }
  // An element no source reaches never sees a part: legal, but almost always a slip.
  std::vector<char> reached(static_cast<size_t>(E), 0);
  std::vector<int> stack;
  for (int i = 0; i < E; ++i)
    if (scene.elements[static_cast<size_t>(i)].type == ElementType::Source) {
      reached[static_cast<size_t>(i)] = 1;
      stack.push_back(i);
    }
  while (!stack.empty()) {
    const int cur = stack.back();
    stack.pop_back();
    for (int j : out_edges(scene, cur))
      if (!reached[static_cast<size_t>(j)]) {
        reached[static_cast<size_t>(j)] = 1;
        stack.push_back(j);
      }
  }
  for (int i = 0; i < E; ++i)
    if (!reached[static_cast<size_t>(i)] && is_flow_element(scene.elements[static_cast<size_t>(i)].type))
      diag_.warning(file_, scene.elements[static_cast<size_t>(i)].loc,
                    "element " + quote(scene.elements[static_cast<size_t>(i)].name) +
                        ": no source feeds it; it will never see a part");
}

void SceneReader::check_saturated_sources(const Scene& scene) {
  const int E = static_cast<int>(scene.elements.size());
  // Edges a robot serves take time (its travel, grip and release), unless that is all zero.
  std::set<std::pair<int, int>> timed;
  for (const auto& r : scene.elements)
    for (const RobotTransfer& t : r.transfers) {
      const Element& a = scene.elements[static_cast<size_t>(t.from)];
      const Element& b = scene.elements[static_cast<size_t>(t.to)];
      if (r.grip_s + r.release_s > 0 || a.at != b.at) timed.insert({t.from, t.to});
    }
  // A saturated source whose parts reach a sink through buffers alone would release
  // infinitely many parts in no time: something on the way must take time.
  for (int i = 0; i < E; ++i) {
    const Element& e = scene.elements[static_cast<size_t>(i)];
    if (e.type != ElementType::Source || !e.saturated || e.limit >= 0) continue;
    std::vector<char> seen(static_cast<size_t>(E), 0);
    std::vector<int> queue;
    for (int j : out_edges(scene, i))
      if (!timed.count({i, j})) queue.push_back(j);
    int sink = -1;
    for (size_t q = 0; q < queue.size() && sink < 0; ++q) {
      const int cur = queue[q];
      if (seen[static_cast<size_t>(cur)]) continue;
      seen[static_cast<size_t>(cur)] = 1;
      const Element& c = scene.elements[static_cast<size_t>(cur)];
      if (c.type == ElementType::Sink) sink = cur;
      else if (c.type == ElementType::Buffer)
        for (int j : out_edges(scene, cur))
          if (!timed.count({cur, j})) queue.push_back(j);
    }
    if (sink >= 0)
      error_at(e.loc, "element " + quote(e.name),
               "a saturated source feeding sink " + quote(scene.elements[static_cast<size_t>(sink)].name) +
                   " with no station, conveyor or robot on the way would release endless parts at once; "
                   "give it an 'interarrival' or a 'limit', or put a station in between");
  }
}

void SceneReader::resolve_names(Scene& scene, std::vector<ElementRefs>& refs, const std::set<std::string>& declared) {
  std::vector<std::string> names, pools;  // did-you-mean candidates
  for (const auto& e : scene.elements) {
    names.push_back(e.name);
    if (e.type == ElementType::Operators) pools.push_back(e.name);
  }
  // An operators pool by name; -1 when none is named or it is reported (here or as rejected).
  auto pool = [&](const Ref& r, const std::string& w) -> int {
    if (r.name.empty()) return -1;
    const int idx = find(r.name);
    if (idx < 0 && declared.count(r.name)) return -1;
    if (idx < 0) {
      std::string msg = "no pool of operators named " + quote(r.name);
      std::string hint = did_you_mean(r.name, pools);
      msg += hint.empty() ? " (declare one with type: operators)" : "; did you mean " + quote(hint) + "?";
      error(r.node, w, msg);
      return -1;
    }
    const ElementType t = scene.elements[static_cast<size_t>(idx)].type;
    if (t != ElementType::Operators) {
      error(r.node, w, quote(r.name) + " is " + type_phrase(t) + ", not a pool of operators (type: operators)");
      return -1;
    }
    return idx;
  };
  const size_t P = scene.parts.size();
  for (size_t i = 0; i < scene.elements.size(); ++i) {
    Element& e = scene.elements[i];
    const ElementRefs& r = refs[i];
    const std::string w = "element " + quote(e.name);
    if (!r.rework_to.name.empty()) {
      const std::string rw = w + ", key 'rework.to'";
      const int idx = find(r.rework_to.name);
      if (idx < 0 && declared.count(r.rework_to.name)) {
        dangling_[i] = 1;
      } else if (idx < 0) {
        std::string msg = "no element named " + quote(r.rework_to.name);
        std::string hint = did_you_mean(r.rework_to.name, names);
        if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
        error(r.rework_to.node, rw, msg);
        dangling_[i] = 1;
      } else if (idx == static_cast<int>(i)) {
        error(r.rework_to.node, rw, "an element cannot send parts back to itself");
        dangling_[i] = 1;
      } else if (scene.elements[static_cast<size_t>(idx)].type == ElementType::Source) {
        error(r.rework_to.node, rw, "names source " + quote(r.rework_to.name) + "; a source receives no parts");
        dangling_[i] = 1;
      } else if (!is_flow_element(scene.elements[static_cast<size_t>(idx)].type)) {
        error(r.rework_to.node, rw,
              quote(r.rework_to.name) + " is " + type_phrase(scene.elements[static_cast<size_t>(idx)].type) +
                  ", not an element that receives parts");
        dangling_[i] = 1;
      } else {
        e.rework_to = idx;
      }
    }
    if (is_station_like(e.type)) {
      e.process_pool = pool(r.pools[0], w + ", key 'operators.process'");
      e.setup_pool = pool(r.pools[1], w + ", key 'operators.setup'");
      e.repair_pool = pool(r.pools[2], w + ", key 'operators.repair'");
      const bool single = single_failure_form(e);
      for (size_t m = 0; m < e.failures.size(); ++m) {
        const Ref& rb = r.repair_by[m];
        const std::string mw = w + ", key 'failures." + (single ? "" : e.failures[m].name + ".") + "repair_by'";
        e.failures[m].repair_pool = rb.name.empty() ? e.repair_pool : pool(rb, mw);
      }
    }
    // by_part routes: each must be one of the successors written in `to`.
    if (!r.routes_listed.empty()) {
      std::vector<std::string> succ_names;
      std::string listed;
      for (const auto& t : r.to) {
        succ_names.push_back(t.name);
        listed += (listed.empty() ? "" : ", ") + t.name;
      }
      std::vector<int> routes(P, -1);
      for (const auto& [p, ref] : r.part_routes) {
        const std::string pw = w + ", key 'part_routes." + scene.parts[static_cast<size_t>(p)].name + "'";
        if (std::find(succ_names.begin(), succ_names.end(), ref.name) == succ_names.end()) {
          std::string msg = quote(ref.name) + " is not one of its successors in 'to' (" + listed + ")";
          std::string hint = did_you_mean(ref.name, succ_names);
          if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
          error(ref.node, pw, msg);
          continue;
        }
        routes[static_cast<size_t>(p)] = find(ref.name);
      }
      if (e.routing == Routing::ByPart) e.part_routes = std::move(routes);
    }
  }
}

void SceneReader::check_part_flow(Scene& scene, const std::vector<ElementRefs>& refs) {
  const size_t E = scene.elements.size(), P = scene.parts.size();
  arrive_.assign(E, std::vector<char>(P, 0));
  // The part types that come out of element i: on its `to` edges, and on its rework edge.
  auto leaves = [&](size_t i) {
    const Element& e = scene.elements[i];
    std::vector<char> out(P, 0);
    switch (e.type) {
      case ElementType::Source:
        if (!e.sequence.empty()) for (int p : e.sequence) out[static_cast<size_t>(p)] = 1;
        else if (!e.mix.empty()) for (size_t p = 0; p < P; ++p) out[p] = e.mix[p] > 0;
        else out[static_cast<size_t>(e.part)] = 1;
        break;
      case ElementType::Assembly: out[static_cast<size_t>(e.part)] = 1; break;
      case ElementType::Split: for (int p : e.outputs) out[static_cast<size_t>(p)] = 1; break;
      case ElementType::Station:
      case ElementType::Buffer:
      case ElementType::Conveyor: out = arrive_[i]; break;
      default: break;
    }
    return out;
  };
  auto reworked = [&](size_t i) {
    const Element& e = scene.elements[i];
    // A split may send back the part it took in or (to be safe) what it makes of it.
    std::vector<char> out = e.type == ElementType::Assembly ? leaves(i) : arrive_[i];
    if (e.type == ElementType::Split) {
      const std::vector<char> made = leaves(i);
      for (size_t p = 0; p < P; ++p) out[p] |= made[p];
    }
    return out;
  };
  std::vector<size_t> work(E);
  for (size_t i = 0; i < E; ++i) work[i] = E - 1 - i;
  std::vector<char> queued(E, 1);
  auto send = [&](size_t to, const std::vector<char>& types, int only_part) {
    bool grew = false;
    for (size_t p = 0; p < P; ++p)
      if (types[p] && (only_part < 0 || static_cast<size_t>(only_part) == p) && !arrive_[to][p]) {
        arrive_[to][p] = 1;
        grew = true;
      }
    if (grew && !queued[to]) {
      queued[to] = 1;
      work.push_back(to);
    }
  };
  while (!work.empty()) {
    const size_t i = work.back();
    work.pop_back();
    queued[i] = 0;
    const Element& e = scene.elements[i];
    const std::vector<char> out = leaves(i);
    for (int j : e.to) {
      if (e.part_routes.empty()) {
        send(static_cast<size_t>(j), out, -1);
      } else {  // by_part: each type only to its own successor
        for (size_t p = 0; p < P; ++p)
          if (e.part_routes[p] == j) send(static_cast<size_t>(j), out, static_cast<int>(p));
      }
    }
    if (e.rework_to >= 0) send(static_cast<size_t>(e.rework_to), reworked(i), -1);
  }

  for (size_t i = 0; i < E; ++i) {
    const Element& e = scene.elements[i];
    const ElementRefs& r = refs[i];
    const std::string w = "element " + quote(e.name);
    if (!r.process_listed.empty())
      for (size_t p = 0; p < P; ++p)
        if (arrive_[i][p] && !r.process_listed[p])
          error(r.process_node, w + ", key 'process.by_part'",
                "part type " + quote(scene.parts[p].name) + " can reach this element but has no process time here");
    if (e.routing == Routing::ByPart && !r.routes_listed.empty()) {
      const std::vector<char> out = leaves(i);
      for (size_t p = 0; p < P; ++p)
        if (out[p] && !r.routes_listed[p])
          error(r.part_routes_node, w + ", key 'part_routes'",
                "part type " + quote(scene.parts[p].name) + " can leave this element but has no route");
    }
    if (e.type == ElementType::Assembly && !e.inputs.empty()) {
      for (size_t p = 0; p < P; ++p) {
        if (arrive_[i][p] && e.inputs[p] == 0)
          error(r.inputs_node, w + ", key 'inputs'",
                "part type " + quote(scene.parts[p].name) +
                    " can reach this assembly but is not one of its inputs: it would never be taken");
        if (!arrive_[i][p] && e.inputs[p] > 0 && !diag_.has_errors())
          diag_.warning(file_, loc_of(r.inputs_node),
                        w + ", key 'inputs': part type " + quote(scene.parts[p].name) +
                            " can never reach it: no kit will ever be complete");
      }
    }
  }
  // A part type that nothing makes (no source, assembly or split) is dead weight, or a sign
  // that a source names the wrong type.
  if (!default_part_ && !diag_.has_errors() && part_locs_.size() == P) {
    std::vector<char> made(P, 0);
    for (size_t i = 0; i < E; ++i) {
      const std::vector<char> out = leaves(i);
      for (size_t p = 0; p < P; ++p) made[p] |= out[p] | arrive_[i][p];
    }
    for (size_t p = 0; p < P; ++p)
      if (!made[p])
        diag_.warning(file_, part_locs_[p],
                      "part " + quote(scene.parts[p].name) + ": no source, assembly or split makes it; it is never used");
  }
}

void SceneReader::resolve_robots(Scene& scene, std::vector<ElementRefs>& refs, const std::set<std::string>& declared) {
  std::vector<std::string> names;
  for (const auto& e : scene.elements) names.push_back(e.name);
  struct Served {
    int robot;
    YAML::Node node;
  };
  std::map<std::pair<int, int>, Served> served;  // edge (from, to) -> the robot serving it
  for (size_t r = 0; r < scene.elements.size(); ++r) {
    Element& robot = scene.elements[r];
    if (robot.type != ElementType::Robot) continue;
    const std::string tw = "element " + quote(robot.name) + ", key 'transfers'";
    std::set<int> reach_checked;
    const ElementRefs& rf = refs[r];
    for (size_t k = 0; k < rf.transfers.size(); ++k) {
      const auto& [from, to] = rf.transfers[k];
      const YAML::Node& node = rf.transfer_nodes[k];
      auto resolve = [&](const Ref& ref, const char* key) -> int {
        const int idx = find(ref.name);
        if (idx < 0 && declared.count(ref.name)) return -1;
        const std::string w = subkey(tw, key);
        if (idx < 0) {
          std::string msg = "no element named " + quote(ref.name);
          std::string hint = did_you_mean(ref.name, names);
          if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
          error(ref.node, w, msg);
          return -1;
        }
        const ElementType t = scene.elements[static_cast<size_t>(idx)].type;
        if (!is_flow_element(t)) {
          error(ref.node, w, quote(ref.name) + " is " + type_phrase(t) + ", not an element of the flow");
          return -1;
        }
        return idx;
      };
      const int a = resolve(from, "from"), b = resolve(to, "to");
      bool ok = a >= 0 && b >= 0;
      if (a >= 0) {
        const ElementType t = scene.elements[static_cast<size_t>(a)].type;
        if (t == ElementType::Sink || t == ElementType::Assembly) {
          error(from.node, subkey(tw, "from"),
                "a robot takes parts only from a source, station, split, buffer or conveyor, not from " + type_phrase(t) +
                    " (" + quote(from.name) + ")");
          ok = false;
        }
      }
      if (b >= 0 && scene.elements[static_cast<size_t>(b)].type == ElementType::Assembly) {
        error(to.node, subkey(tw, "to"), "a robot cannot bring parts to an assembly (" + quote(to.name) + ")");
        ok = false;
      }
      if (!ok) continue;
      const Element& src = scene.elements[static_cast<size_t>(a)];
      if (std::find(src.to.begin(), src.to.end(), b) == src.to.end() && src.rework_to != b) {
        error(node, tw,
              quote(from.name) + " does not feed " + quote(to.name) +
                  ": a robot moves parts only along an edge of the flow (an entry of 'to' or the rework target)");
        continue;
      }
      auto it = served.find({a, b});
      if (it != served.end()) {
        error(node, tw,
              it->second.robot == static_cast<int>(r)
                  ? "the transfer " + quote(from.name) + " -> " + quote(to.name) + " is listed twice"
                  : "the edge " + quote(from.name) + " -> " + quote(to.name) + " is already served by robot " +
                        quote(scene.elements[static_cast<size_t>(it->second.robot)].name));
        continue;
      }
      served[{a, b}] = Served{static_cast<int>(r), node};
      robot.transfers.push_back(RobotTransfer{a, b, loc_of(node)});
      for (int x : {a, b}) {
        if (!reach_checked.insert(x).second) continue;
        const Element& target = scene.elements[static_cast<size_t>(x)];
        if (!target.has_at)
          error(node, tw, quote(target.name) + " has no 'at': a robot needs the position of every element it serves");
        else if (robot.has_at && robot.reach_m > 0) {
          std::string msg = robot_reach_error(robot, target);
          if (!msg.empty()) error(node, tw, msg);
        }
      }
    }
  }
  // A robot that takes from an element serves all of its edges: the element hands every part
  // to that robot, never partly to the flow and partly to a robot.
  for (size_t x = 0; x < scene.elements.size(); ++x) {
    const std::vector<int> edges = out_edges(scene, static_cast<int>(x));
    const Served* owner = nullptr;
    int owner_to = -1;
    for (int y : edges) {
      auto it = served.find({static_cast<int>(x), y});
      if (it != served.end()) {
        owner = &it->second;
        owner_to = y;
        break;
      }
    }
    if (!owner) continue;
    const std::string& xn = scene.elements[x].name;
    const std::string& rn = scene.elements[static_cast<size_t>(owner->robot)].name;
    const std::string owned = quote(xn) + " -> " + quote(scene.elements[static_cast<size_t>(owner_to)].name);
    for (int y : edges) {
      const std::string edge = quote(xn) + " -> " + quote(scene.elements[static_cast<size_t>(y)].name);
      auto it = served.find({static_cast<int>(x), y});
      if (it == served.end())
        error(owner->node, "element " + quote(rn) + ", key 'transfers'",
              "robot " + quote(rn) + " serves " + owned + " but not " + edge +
                  ": a robot that takes parts from an element must serve all of its out-edges");
      else if (it->second.robot != owner->robot)
        error(it->second.node,
              "element " + quote(scene.elements[static_cast<size_t>(it->second.robot)].name) + ", key 'transfers'",
              edge + " is served by robot " + quote(scene.elements[static_cast<size_t>(it->second.robot)].name) +
                  " but " + owned + " by robot " + quote(rn) + ": one robot serves all out-edges of an element");
    }
  }
}

void SceneReader::resolve_conveyors(Scene& scene, const std::vector<YAML::Node>& nodes) {
  // The default spacing is the longest side of the part types that can reach the conveyor.
  const size_t E = scene.elements.size();
  for (size_t i = 0; i < E; ++i) {
    Element& e = scene.elements[i];
    if (e.type != ElementType::Conveyor) continue;
    double longest = 0;
    for (size_t p = 0; p < scene.parts.size() && i < arrive_.size(); ++p) {
      const PartType& pt = scene.parts[p];
      if (arrive_[i][p] && pt.has_size) longest = std::max({longest, pt.size[0], pt.size[1], pt.size[2]});
    }
    const YAML::Node& n = nodes[i];
    if (e.length_m <= 0 && !n["length"] && !n["path"]) {
      // Several successors: the length runs to the first one.
      const Element* to = e.succ >= 0 ? &scene.elements[static_cast<size_t>(e.succ)] : nullptr;
      if (e.has_at && to && to->has_at) {
        double dx = to->at[0] - e.at[0], dy = to->at[1] - e.at[1], dz = to->at[2] - e.at[2];
        e.length_m = std::sqrt(dx * dx + dy * dy + dz * dz);
        e.length_from_positions = true;
        if (e.length_m <= 0)
          error_at(e.loc, "element " + quote(e.name),
                   "conveyor length from positions is zero: it stands at the same 'at' as " + quote(to->name));
      } else if (e.succ >= 0 || !n["to"]) {
        error_at(e.loc, "element " + quote(e.name),
                 "conveyor has no length: give 'length', 'path', or 'at' on it and on the element it feeds" +
                     (to ? " (" + quote(to->name) + (to->has_at ? ")" : ", which has no 'at')") : std::string()));
      }
    }
    if (e.spacing_m <= 0) e.spacing_m = longest > 0 ? longest : 0.5;
    if (!e.path_given && e.length_m > 0) e.path_points = conveyor_path_points(scene, e);
  }
}

void SceneReader::check_physical_conveyors(Scene& scene, const std::vector<YAML::Node>& nodes) {
  constexpr double kPi = 3.14159265358979323846;
  constexpr double kMaxTurnDeg = 120;
  for (size_t i = 0; i < scene.elements.size(); ++i) {
    Element& e = scene.elements[i];
    if (e.type != ElementType::Conveyor || !e.physical) continue;
    const YAML::Node& n = nodes[i];
    const std::string w = "element " + quote(e.name);
    // The part types that ride it: each needs a size, and must fit between the guides.
    e.physical_parts.clear();
    for (size_t p = 0; p < scene.parts.size() && i < arrive_.size(); ++p)
      if (arrive_[i][p]) e.physical_parts.push_back(static_cast<int>(p));
    const bool width_given = static_cast<bool>(n["width"]);
    const YAML::Node& width_node = width_given ? n["width"] : n["model"];
    for (int p : e.physical_parts) {
      const PartType& pt = scene.parts[static_cast<size_t>(p)];
      const std::string part = "part type " + quote(pt.name);
      if (!pt.has_size) {
        error(n["model"], w + ", key 'model'",
              part + (default_part_ ? " (the default: the scene has no 'parts' block)" : std::string()) +
                  " rides this physical conveyor but has no 'size': the physics needs its extents, e.g. parts: {" +
                  pt.name + ": {size: [0.3, 0.2, 0.15]}}");
        continue;
      }
      const bool cylinder = pt.shape == "cylinder";
      if (cylinder && pt.size[0] != pt.size[1]) {
        error(n["model"], w + ", key 'model'",
              part + " rides this physical conveyor as a cylinder, whose size is [diameter, diameter, height]; got x " +
                  num(pt.size[0]) + " and y " + num(pt.size[1]) + ", which differ");
        continue;
      }
      // Carried upright with its longer horizontal side along the belt: across it, the shorter.
      const double across = std::min(pt.size[0], pt.size[1]);
      if (!(e.width_m > across))
        error(width_node, w + (width_given ? ", key 'width'" : ", key 'model'"),
              (width_given ? "width " + num(e.width_m) + " m" : "the default width " + num(e.width_m) + " m") +
                  " is not wider than " + part + " (" + num(across) + " m across the belt" +
                  (cylinder ? ", its diameter" : "") + "); give a 'width' above " + num(across) + " m");
    }
    // The path: legs of positive length, none vertical, no turn sharper than kMaxTurnDeg.
    const std::vector<Vec3>& pts = e.path_points;
    if (pts.size() < 2) continue;  // no length: reported already
    const YAML::Node path_node = e.path_given ? n["path"] : YAML::Node();
    auto at_point = [&](size_t k, const std::string& msg) {
      if (e.path_given && path_node.IsSequence() && k < path_node.size())
        error(path_node[k], w + ", key 'path'", msg);
      else
        error_at(e.loc, w, msg);
    };
    auto point = [&](size_t k) {
      if (e.path_given) return "point " + std::to_string(k + 1);
      return std::string(k == 0 ? "its 'at'" : "the 'at' it runs to");
    };
    std::vector<double> heading;  // of each leg's horizontal projection (when every leg is good)
    bool legs_ok = true;
    for (size_t k = 1; k < pts.size(); ++k) {
      const double dx = pts[k][0] - pts[k - 1][0], dy = pts[k][1] - pts[k - 1][1], dz = pts[k][2] - pts[k - 1][2];
      const double h = std::sqrt(dx * dx + dy * dy);
      if (h == 0 && dz == 0) {
        at_point(k, point(k) + " repeats " + point(k - 1) + ": a physical belt needs legs of positive length");
        legs_ok = false;
      } else if (h <= 1e-9 * std::fabs(dz)) {
        at_point(k, point(k) + " is straight above or below " + point(k - 1) +
                        ": a physical belt cannot run vertically");
        legs_ok = false;
      } else {
        heading.push_back(std::atan2(dy, dx));
        const double rise = std::atan2(dz, h) * 180 / kPi;
        if (dz > 0 && dz / h >= e.friction)
          diag_.warning(file_, e.path_given && path_node.IsSequence() ? loc_of(path_node[k]) : e.loc,
                        w + ", key 'path': the leg to " + point(k) + " rises at " + num(std::round(rise * 10) / 10) +
                            " degrees; with friction " + num(e.friction) +
                            " parts slide back (a belt carries a part up only when tan(slope) < friction)");
      }
    }
    if (!legs_ok) continue;
    bool turns_ok = true;
    for (size_t k = 1; k < heading.size(); ++k) {
      double turn = heading[k] - heading[k - 1];
      while (turn > kPi) turn -= 2 * kPi;
      while (turn <= -kPi) turn += 2 * kPi;
      const double deg = std::fabs(turn) * 180 / kPi;
      if (deg > kMaxTurnDeg + 1e-9) {
        turns_ok = false;
        at_point(k, "the path turns by " + num(std::round(deg * 10) / 10) + " degrees at " + point(k) +
                        "; a physical belt turns at most " + num(kMaxTurnDeg) +
                        " degrees at one point (add a point to turn in two steps)");
      }
    }
    if (!turns_ok) continue;
    // A wide belt needs legs long enough for the corners at both their ends.
    std::vector<PartType> riding;
    for (int p : e.physical_parts) riding.push_back(scene.parts[static_cast<size_t>(p)]);
    const int short_leg = physics::leg_too_short(pts, e.width_m, riding);
    if (short_leg >= 0)
      at_point(static_cast<size_t>(short_leg) + 1,
               "the leg to " + point(static_cast<size_t>(short_leg) + 1) + " is too short for a belt " +
                   num(e.width_m) + " m wide: the corners at its ends take more than its length; make the belt "
                   "narrower or the leg longer");
  }
}

constexpr int64_t kMaxVariants = 1000000;  // a batch larger than this is surely a slip

std::optional<ParamPath> SceneReader::param_path(const YAML::Node& key, const std::string& where,
                                                 const VariantsContext& cx) {
  const std::string text = key.IsScalar() ? key.Scalar() : "";
  const std::string first = text.substr(0, text.find('.'));
  if (first == "run") {
    error(key, where, quote(text) + " is a run setting, not a parameter; only element values can vary");
    return std::nullopt;
  }
  // Element names may contain dots: take the longest name the path starts with.
  int el = -1;
  for (size_t i = 0; i < cx.scene.elements.size(); ++i) {
    const std::string& nm = cx.scene.elements[i].name;
    if (text.size() > nm.size() + 1 && text.compare(0, nm.size(), nm) == 0 && text[nm.size()] == '.' &&
        (el < 0 || nm.size() > cx.scene.elements[static_cast<size_t>(el)].name.size()))
      el = static_cast<int>(i);
  }
  if (el < 0) {
    for (const auto& d : cx.declared)  // rejected for its own errors: reported there
      if (text.rfind(d + ".", 0) == 0) return std::nullopt;
    std::string msg = "unknown parameter " + quote(text);
    if (text.find('.') == std::string::npos) {
      msg += ": a parameter is written element.key, such as 'm1.process'";
    } else {
      std::vector<std::string> names;
      for (const auto& e : cx.scene.elements) names.push_back(e.name);
      msg += ": no element named " + quote(first);
      std::string hint = did_you_mean(first, names);
      if (!hint.empty()) msg += "; did you mean " + quote(hint + text.substr(first.size())) + "?";
    }
    error(key, where, msg);
    return std::nullopt;
  }
  const Element& e = cx.scene.elements[static_cast<size_t>(el)];
  const std::string rest = text.substr(e.name.size() + 1);
  const std::vector<std::string> keys = settable_keys(cx.scene, e);
  if (std::find(keys.begin(), keys.end(), rest) == keys.end()) {
    std::string msg = "unknown parameter " + quote(text);
    std::string hint = did_you_mean(rest, keys);
    if (!hint.empty()) {
      msg += "; did you mean " + quote(e.name + "." + hint) + "?";
    } else if (keys.empty()) {
      msg += ": " + std::string(element_type_name(e.type)) + " " + quote(e.name) + " has no parameter a variant can set";
    } else {
      msg += ": the parameters of " + std::string(element_type_name(e.type)) + " " + quote(e.name) + " are ";
      for (size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : "") + e.name + "." + keys[i];
    }
    error(key, where, msg);
    return std::nullopt;
  }
  ParamPath p;
  p.text = text;
  p.element = el;
  p.loc = loc_of(key);
  split_param_key(cx.scene, e, rest, p);
  classify_param(cx.scene, p);
  return p;
}

std::optional<ParamValue> SceneReader::param_value(const YAML::Node& n, const ParamPath& p, const std::string& where) {
  const std::string w = where + ", parameter " + quote(p.text);
  ParamValue v;
  v.loc = loc_of(n);
  switch (p.kind) {
    case ParamKind::Number:
      if (auto x = number(n, w)) { v.value = *x; return v; }
      break;
    case ParamKind::Duration:
      if (auto x = duration(n, w)) { v.value = *x; return v; }
      break;
    case ParamKind::Count:
      if (auto x = integer(n, w)) { v.value = static_cast<double>(*x); return v; }
      break;
    case ParamKind::Position:
      if (auto x = vec3(n, w)) { v.position = *x; return v; }
      break;
  }
  return std::nullopt;
}

void SceneReader::param_map(const YAML::Node& map, const std::string& where, const VariantsContext& cx,
                            const std::function<void(const ParamPath&, const YAML::Node&)>& each) {
  if (!map.IsMap() || map.size() == 0) {
    error(map, where, "expected a map of parameters such as {m1.process: 20s}, got " + describe(map));
    return;
  }
  std::vector<ParamPath> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto p = param_path(it->first, where, cx);
    if (!p) continue;
    bool twice = false;
    for (const auto& q : seen) twice |= same_param(q, *p);
    if (twice) {
      error(it->first, where, "parameter " + quote(p->text) + " is given twice");
      continue;
    }
    seen.push_back(*p);
    each(*p, it->second);
  }
}

void SceneReader::read_variants(const YAML::Node& n, Scene& scene, const VariantsContext& cx) {
  VariantsSpec spec;
  if (!check_map(n, "key 'variants'", {"cases", "sweep", "sample"})) return;
  int64_t total = 1;  // the baseline
  if (n["cases"]) {
    const YAML::Node& cs = n["cases"];
    const std::string w = "key 'variants.cases'";
    if (!cs.IsSequence() || cs.size() == 0) error(cs, w, "expected a list of cases {name, set}, got " + describe(cs));
    else
      for (const YAML::Node& c : cs) {
        if (!check_map(c, w, {"name", "set"}) || !require(c, "name", w) || !require(c, "set", w)) continue;
        CaseSpec cs_;
        cs_.loc = loc_of(c);
        auto name = string(c["name"], subkey(w, "name"));
        if (!name) continue;
        cs_.name = *name;
        const std::string cw = w + ", case " + quote(*name);
        // Variant names are unique across the batch: "baseline" and "sample-N" are taken.
        static const std::regex sample_name("sample-[0-9]+");
        bool dup = false;
        for (const auto& o : spec.cases) dup |= o.name == *name;
        if (!std::regex_match(*name, name_pattern()))
          error(c["name"], cw, "a case name must match [A-Za-z_][A-Za-z0-9_.-]*");
        else if (dup) error(c["name"], cw, "defined twice; case names are unique");
        else if (*name == "baseline" || (n["sample"] && std::regex_match(*name, sample_name)))
          error(c["name"], cw, quote(*name) + " is the name of a generated variant; choose another");
        param_map(c["set"], cw + ", key 'set'", cx, [&](const ParamPath& p, const YAML::Node& val) {
          if (auto v = param_value(val, p, cw)) cs_.set.emplace_back(p, *v);
        });
        spec.cases.push_back(std::move(cs_));
      }
    total += static_cast<int64_t>(spec.cases.size());
  }
  if (n["sweep"]) {
    const std::string w = "key 'variants.sweep'";
    int64_t product = 1;
    param_map(n["sweep"], w, cx, [&](const ParamPath& p, const YAML::Node& val) {
      SweepAxis ax;
      ax.path = p;
      if (val.IsSequence() && val.size() > 0) {
        bool ok = true;
        for (const YAML::Node& x : val) {
          auto v = param_value(x, p, w);
          if (v) ax.values.push_back(*v); else ok = false;
        }
        if (!ok) return;
      } else if (val.IsMap()) {
        const std::string rw = w + ", parameter " + quote(p.text);
        if (!check_map(val, rw, {"range", "steps"}) || !require(val, "range", rw) || !require(val, "steps", rw)) return;
        if (p.kind == ParamKind::Position) {
          error(val, rw, "a range needs a number, duration or count; give a position as a list of values");
          return;
        }
        const YAML::Node& r = val["range"];
        if (!r.IsSequence() || r.size() != 2) {
          error(r, subkey(rw, "range"), "expected [lo, hi], got " + describe(r));
          return;
        }
        auto lo = param_value(r[0], p, w), hi = param_value(r[1], p, w);
        auto steps = integer(val["steps"], subkey(rw, "steps"));
        if (steps && (*steps < 2 || *steps > kMaxVariants)) {
          error(val["steps"], subkey(rw, "steps"), "must be from 2 to " + std::to_string(kMaxVariants) + ", got " +
                                                      std::to_string(*steps));
          return;
        }
        if (!lo || !hi || !steps) return;
        if (!(lo->value < hi->value)) {
          error(r, subkey(rw, "range"), "needs lo < hi");
          return;
        }
        for (int64_t i = 0; i < *steps; ++i) {
          ParamValue v;
          v.loc = p.loc;  // generated: no value of its own in the file
          v.value = lo->value + (hi->value - lo->value) * static_cast<double>(i) / static_cast<double>(*steps - 1);
          if (p.kind == ParamKind::Count) v.value = std::round(v.value);
          ax.values.push_back(v);
        }
      } else {
        error(val, w + ", parameter " + quote(p.text),
              "expected a list of values or {range: [lo, hi], steps: n}, got " + describe(val));
        return;
      }
      product = std::min<int64_t>(product * static_cast<int64_t>(ax.values.size()), kMaxVariants + 1);
      spec.sweep.push_back(std::move(ax));
    });
    if (!spec.sweep.empty()) total += product;
  }
  if (n["sample"]) {
    const YAML::Node& s = n["sample"];
    const std::string w = "key 'variants.sample'";
    if (check_map(s, w, {"method", "count", "ranges"}) && require(s, "count", w) && require(s, "ranges", w)) {
      SampleSpec sp;
      sp.loc = loc_of(s);
      bool ok = true;
      if (s["method"]) {
        auto m = string(s["method"], subkey(w, "method"));
        if (m && (*m == "lhs" || *m == "uniform")) sp.lhs = *m == "lhs";
        else {
          ok = false;
          if (m) {
            std::string hint = did_you_mean(*m, {"lhs", "uniform"});
            error(s["method"], subkey(w, "method"),
                  "expected lhs or uniform, got " + quote(*m) + (hint.empty() ? "" : "; did you mean " + quote(hint) + "?"));
          }
        }
      }
      if (auto c = integer(s["count"], subkey(w, "count"))) {
        if (*c < 1 || *c > kMaxVariants) {
          error(s["count"], subkey(w, "count"), "must be from 1 to " + std::to_string(kMaxVariants) + ", got " +
                                                    std::to_string(*c));
          ok = false;
        } else sp.count = *c;
      } else ok = false;
      const std::string rw = subkey(w, "ranges");
      param_map(s["ranges"], rw, cx, [&](const ParamPath& p, const YAML::Node& val) {
        const std::string pw = rw + ", parameter " + quote(p.text);
        if (p.kind == ParamKind::Position) {
          error(val, pw, "only numbers, durations and counts can be sampled, not a position");
          ok = false;
          return;
        }
        if (!val.IsSequence() || val.size() != 2) {
          error(val, pw, "expected [lo, hi], got " + describe(val));
          ok = false;
          return;
        }
        auto lo = param_value(val[0], p, rw), hi = param_value(val[1], p, rw);
        if (!lo || !hi) {
          ok = false;
          return;
        }
        if (!(lo->value < hi->value)) {
          error(val, pw, "needs lo < hi");
          ok = false;
          return;
        }
        sp.ranges.push_back(SampleRange{p, lo->value, hi->value});
      });
      if (ok && !sp.ranges.empty()) {
        total += sp.count;
        spec.sample = std::move(sp);
      }
    }
  }
  if (total > kMaxVariants)
    error(n, "key 'variants'", "the block makes " + std::to_string(total) + " variants or more; at most " +
                                   std::to_string(kMaxVariants) + " are allowed");
  scene.variants = std::move(spec);
}

void SceneReader::read(const YAML::Node& root, Scene& scene) {
  if (!root.IsMap() && root.Mark().line < 0) {
    error_at({1, 1}, "",
             "the file holds no YAML (it is empty or only comments); a scene is a YAML map with the keys "
             "plantwin, name, run and elements");
    return;
  }
  if (!root.IsMap()) {
    error(root, "", "a scene file is a YAML map with the keys plantwin, name, run and elements; got " + describe(root));
    return;
  }
  check_map(root, "",
            {"plantwin", "name", "description", "run", "parts", "shifts", "elements", "variants", "physics"});
  if (require(root, "plantwin", "key 'plantwin'")) {
    const YAML::Node& v = root["plantwin"];
    if (!v.IsScalar() || v.Scalar() != "1")
      error(v, "key 'plantwin'", "unsupported format version " + describe(v) + "; this plantwin reads format 1");
  }
  if (require(root, "name", "key 'name'"))
    if (auto s = string(root["name"], "key 'name'")) {
      if (s->empty()) error(root["name"], "key 'name'", "must not be empty");
      scene.name = *s;
    }
  if (root["description"])
    if (auto s = string(root["description"], "key 'description'")) scene.description = *s;
  if (require(root, "run", "key 'run'")) read_run(root["run"], scene.run);
  if (root["physics"]) read_physics(root["physics"], scene.physics);
  if (root["parts"]) read_parts(root["parts"], scene);
  if (scene.parts.empty()) {
    scene.parts.push_back(PartType{"part"});
    default_part_ = !root["parts"];
  }
  if (root["shifts"])
    if (auto c = calendar(root["shifts"], "key 'shifts'")) {
      scene.calendars.push_back(*c);
      scene.plant_shift = static_cast<int>(scene.calendars.size()) - 1;
    }

  if (!require(root, "elements", "key 'elements'")) return;
  const YAML::Node& els = root["elements"];
  if (!els.IsMap() || els.size() == 0) {
    error(els, "key 'elements'", "expected a map of element names to elements, got " + describe(els));
    return;
  }
  std::vector<ElementRefs> refs;
  std::vector<YAML::Node> element_nodes;
  std::set<std::string> seen;
  for (auto it = els.begin(); it != els.end(); ++it) {
    std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
    if (!std::regex_match(name, name_pattern())) {
      error(it->first, "element " + quote(name), "an element name must match [A-Za-z_][A-Za-z0-9_.-]*");
      continue;
    }
    if (!seen.insert(name).second) {
      error(it->first, "element " + quote(name), "defined twice; element names are unique");
      continue;
    }
    size_t before = scene.elements.size();
    ElementRefs r;
    read_element(name, it->first, it->second, scene, r);
    if (scene.elements.size() > before) {
      element_nodes.push_back(it->second);
      refs.push_back(std::move(r));
    }
  }
  resolve_graph(scene, refs, els, seen);
  check_part_flow(scene, refs);
  resolve_robots(scene, refs, seen);
  check_saturated_sources(scene);
  // Station-like elements without a `shift:` of their own follow the plant's calendar.
  for (auto& e : scene.elements)
    e.shift = !is_station_like(e.type) ? -1 : e.shift == -2 ? scene.plant_shift : e.shift;
  resolve_conveyors(scene, element_nodes);
  check_physical_conveyors(scene, element_nodes);
  if (scene.physics.given && !scene.has_physical_conveyor() && !diag_.has_errors())
    diag_.warning(file_, loc_of(root["physics"]),
                  "key 'physics': no conveyor has model: physics, so these settings are not used");
  if (root["variants"]) read_variants(root["variants"], scene, VariantsContext{scene, element_nodes, seen});
}

}  // namespace

namespace {
std::string too_large(unsigned long long bytes) {
  char text[160];
  std::snprintf(text, sizeof text, "the file is %.1f MB; plantwin reads scene files up to %.0f MB (a few hundred "
                "thousand elements): is this a scene file?", bytes / 1048576.0, kMaxSceneBytes / 1048576.0);
  return text;
}
}  // namespace

LoadResult load_scene_text(const std::string& text, const std::string& path) {
  LoadResult r;
  if (text.size() > kMaxSceneBytes) {
    r.diagnostics.error(path, {0, 0}, too_large(text.size()));
    return r;
  }
  Scene scene;
  scene.path = path;
  scene.text = text;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& ex) {
    // yaml-cpp says only "bad file" here.
    r.diagnostics.error(path, {ex.mark.line + 1, ex.mark.column + 1},
                        "YAML syntax: lists and maps nested " + std::to_string(ex.depth()) +
                            " deep; a scene nests a few levels, so a bracket or an indentation is probably wrong "
                            "before this point");
    return r;
  } catch (const YAML::Exception& ex) {
    SourceLoc at{ex.mark.line + 1, ex.mark.column + 1};
    if (ex.mark.line < 0) at = {0, 0};
    r.diagnostics.error(path, at, "YAML syntax: " + explain_yaml_error(ex.msg));
    return r;
  }
  try {
    SceneReader(path, r.diagnostics).read(root, scene);
  } catch (const YAML::Exception& ex) {
    r.diagnostics.error(path, {ex.mark.line + 1, ex.mark.column + 1}, std::string("YAML: ") + ex.msg);
  }
  // Every variant's values are checked here too, so that a batch never starts with a bad one.
  if (!r.diagnostics.has_errors() && !scene.variants.empty()) {
    const VariantSet set = expand_variants(scene);
    for (size_t v = 1; v < set.size(); ++v) apply_variant(scene, set, v, r.diagnostics);
  }
  if (!r.diagnostics.has_errors()) {
    lint_flow(scene, path, r.diagnostics);  // the baseline's flow (variants are deliberate departures)
    r.scene = std::move(scene);
  }
  return r;
}

LoadResult load_scene_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    LoadResult r;
    r.diagnostics.error(path, {0, 0}, "cannot open the scene file: " + std::string(std::strerror(errno)));
    return r;
  }
  if (S_ISDIR(st.st_mode)) {
    LoadResult r;
    r.diagnostics.error(path, {0, 0}, "is a directory, not a scene file");
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    LoadResult r;
    r.diagnostics.error(path, {0, 0}, "is not a regular file (a device, pipe or socket), not a scene file");
    return r;
  }
  if (static_cast<unsigned long long>(st.st_size) > kMaxSceneBytes) {
    LoadResult r;
    r.diagnostics.error(path, {0, 0}, too_large(static_cast<unsigned long long>(st.st_size)));
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics.error(path, {0, 0}, "cannot open the scene file for reading");
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_scene_text(ss.str(), path);
}

}  // namespace plantwin
