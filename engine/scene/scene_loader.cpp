// Scene validation: the only place that checks what a scene says (docs/scene-format.md).
// Each check reports FILE:LINE:COLUMN with the element and key it concerns, and goes on,
// so that an author sees every problem of the file in one run.
#include "engine/scene/scene_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <sys/stat.h>

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
  }
  return "?";
}

int Scene::find_element(const std::string& n) const {
  for (size_t i = 0; i < elements.size(); ++i)
    if (elements[i].name == n) return static_cast<int>(i);
  return -1;
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
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
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
  void read_parts(const YAML::Node& n, Scene& scene);
  void read_element(const std::string& name, const YAML::Node& key, const YAML::Node& n, Scene& scene,
                    std::vector<std::pair<std::string, YAML::Node>>& to_refs);
  void resolve_graph(Scene& scene, const std::vector<std::pair<std::string, YAML::Node>>& to_refs,
                     const YAML::Node& elements_node, const std::set<std::string>& declared);
  void resolve_conveyors(Scene& scene, const std::vector<YAML::Node>& element_nodes);

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
    const YAML::Node& b = it->second;
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
  }
}

const std::vector<std::string>& element_types() {
  static const std::vector<std::string> t = {"source", "station", "buffer", "conveyor", "sink"};
  return t;
}

void SceneReader::read_element(const std::string& name, const YAML::Node& key, const YAML::Node& n, Scene& scene,
                               std::vector<std::pair<std::string, YAML::Node>>& to_refs) {
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
    error(key, w, "required key 'type' is missing (source, station, buffer, conveyor or sink)");
    return;
  }
  std::string type = n["type"].IsScalar() ? n["type"].Scalar() : "";
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"source", {"type", "at", "to", "part", "interarrival", "limit", "when_blocked"}},
      {"station", {"type", "at", "to", "process", "capacity", "failures"}},
      {"buffer", {"type", "at", "to", "capacity"}},
      {"conveyor", {"type", "at", "to", "speed", "length", "path", "spacing", "accumulating", "model", "friction",
                    "width"}},
      {"sink", {"type", "at", "to"}}};  // 'to' on a sink is reported on its own below
  auto kt = keys.find(type);
  if (kt == keys.end()) {
    std::string msg = "unknown element type " + describe(n["type"]);
    std::string hint = did_you_mean(type, element_types());
    msg += hint.empty() ? "; expected source, station, buffer, conveyor or sink" : "; did you mean " + quote(hint) + "?";
    error(n["type"], kw("type"), msg);
    return;
  }
  if (type == "source") e.type = ElementType::Source;
  else if (type == "station") e.type = ElementType::Station;
  else if (type == "buffer") e.type = ElementType::Buffer;
  else if (type == "conveyor") e.type = ElementType::Conveyor;
  else e.type = ElementType::Sink;

  if (type == "sink" && n["to"]) {
    error(n["to"], kw("to"), "a sink removes parts and feeds nothing; remove 'to'");
  }
  check_map(n, w, kt->second);

  if (n["at"]) {
    if (auto v = vec3(n["at"], kw("at"))) {
      e.has_at = true;
      e.at = *v;
    }
  }
  std::pair<std::string, YAML::Node> to_ref;  // empty target: none given or not text (reported here)
  if (e.type != ElementType::Sink) {
    if (!n["to"]) error(key, w, "required key 'to' is missing (the element that receives its parts)");
    else if (auto t = string(n["to"], kw("to"))) to_ref = {*t, n["to"]};
  }

  switch (e.type) {
    case ElementType::Source: {
      if (n["part"]) {
        if (auto p = string(n["part"], kw("part"))) {
          int found = -1;
          std::vector<std::string> names;
          for (size_t i = 0; i < scene.parts.size(); ++i) {
            names.push_back(scene.parts[i].name);
            if (scene.parts[i].name == *p) found = static_cast<int>(i);
          }
          if (found < 0) {
            std::string msg = "no part type named " + quote(*p);
            std::string hint = did_you_mean(*p, names);
            if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
            else msg += names.size() == 1 && names[0] == "part" && scene.parts.size() == 1 ? " (declare it under 'parts')" : "";
            error(n["part"], kw("part"), msg);
          } else {
            e.part = found;
          }
        }
      } else if (scene.parts.size() > 1) {
        error(key, w, "required key 'part' is missing: the scene declares several part types");
      }
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
    case ElementType::Station: {
      if (require(n, "process", w))
        if (auto d = distribution(n["process"], kw("process"))) e.process = *d;
      if (n["capacity"]) {
        if (auto v = integer(n["capacity"], kw("capacity"))) {
          if (*v < 1 || *v > 4096)
            error(n["capacity"], kw("capacity"), "parallel servers must be from 1 to 4096, got " + std::to_string(*v));
          else e.servers = *v;
        }
      }
      if (n["failures"]) {
        const YAML::Node& f = n["failures"];
        std::string fw = w + ", key 'failures'";
        if (check_map(f, fw, {"mtbf", "mttr"})) {
          bool ok = require(f, "mtbf", fw) & require(f, "mttr", fw);
          if (ok) {
            auto a = distribution(f["mtbf"], w + ", key 'failures.mtbf'");
            auto b = distribution(f["mttr"], w + ", key 'failures.mttr'");
            if (a && b) {
              e.has_failures = true;
              e.mtbf = *a;
              e.mttr = *b;
            }
          }
        }
      }
      break;
    }
    case ElementType::Buffer: {
      if (require(n, "capacity", w)) {
        const YAML::Node& c = n["capacity"];
        if (c.IsScalar() && (c.Scalar() == "inf" || c.Scalar() == ".inf")) {
          e.infinite = true;
        } else if (auto v = integer(c, kw("capacity"))) {
          if (*v < 0 || *v > 100000000)
            error(c, kw("capacity"), "must be a whole number from 0 to 100000000, or inf; got " + std::to_string(*v));
          else e.capacity = *v;
        }
      }
      break;
    }
    case ElementType::Conveyor: {
      if (n["model"]) {
        if (auto s = string(n["model"], kw("model"))) {
          if (*s == "physics")
            error(n["model"], kw("model"),
                  "physics conveyors are not supported yet by this version of plantwin; use model: kinematic");
          else if (*s != "kinematic")
            error(n["model"], kw("model"), "expected kinematic or physics, got " + quote(*s));
        }
      }
      for (const char* k : {"friction", "width"})
        if (n[k] && !(n["model"] && n["model"].IsScalar() && n["model"].Scalar() == "physics"))
          error(n[k], kw(k), std::string("applies only to model: physics conveyors; remove it"));
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
          for (size_t i = 0; i < p.size(); ++i) {
            auto v = vec3(p[i], kw("path"));
            if (!v) { ok = false; continue; }
            if (i > 0) len += std::sqrt(std::pow((*v)[0] - prev[0], 2) + std::pow((*v)[1] - prev[1], 2) +
                                        std::pow((*v)[2] - prev[2], 2));
            prev = *v;
          }
          if (ok && len <= 0) error(p, kw("path"), "has zero length");
          else if (ok) e.length_m = len;
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
  }
  scene.elements.push_back(e);
  to_refs.push_back(to_ref);
}

void SceneReader::resolve_graph(Scene& scene, const std::vector<std::pair<std::string, YAML::Node>>& to_refs,
                                const YAML::Node& elements_node, const std::set<std::string>& declared) {
  // `declared`: every element named in the file, including those rejected for their own
  // errors; a 'to' naming one of those is not reported again.
  std::vector<std::string> names;  // did-you-mean candidates, scene order first
  for (const auto& e : scene.elements) names.push_back(e.name);
  for (const auto& d : declared)
    if (scene.find_element(d) < 0) names.push_back(d);
  for (size_t i = 0; i < scene.elements.size(); ++i) {
    Element& e = scene.elements[i];
    const auto& [target, node] = to_refs[i];
    if (e.type == ElementType::Sink || target.empty()) continue;  // a missing 'to' is already reported
    std::string w = "element " + quote(e.name) + ", key 'to'";
    int idx = scene.find_element(target);
    if (idx < 0 && declared.count(target)) {
      continue;  // the element exists but was rejected; its own error is reported
    } else if (idx < 0) {
      std::string msg = "no element named " + quote(target);
      std::string hint = did_you_mean(target, names);
      if (!hint.empty()) msg += "; did you mean " + quote(hint) + "?";
      error(node, w, msg);
    } else if (scene.elements[idx].name == e.name) {
      error(node, w, "an element cannot feed itself");
    } else if (scene.elements[idx].type == ElementType::Source) {
      error(node, w, "feeds source " + quote(target) + "; a source receives no parts");
    } else {
      e.succ = idx;
    }
  }
  bool any_source = false, any_sink = false;
  for (const auto& e : scene.elements) {
    any_source |= e.type == ElementType::Source;
    any_sink |= e.type == ElementType::Sink;
  }
  if (!any_source) error(elements_node, "key 'elements'", "the scene has no source: nothing would enter the line");
  if (!any_sink) error(elements_node, "key 'elements'", "the scene has no sink: no part could leave the line");
  if (!any_source || !any_sink) return;

  // Every element must lead to a sink, else its parts pile up forever.
  const int E = static_cast<int>(scene.elements.size());
  for (int i = 0; i < E; ++i) {
    const Element& e = scene.elements[i];
    if (e.type == ElementType::Sink || e.succ < 0) continue;
    std::vector<char> seen(E, 0);
    int cur = i;
    bool dangling = false;
    while (cur >= 0 && scene.elements[cur].type != ElementType::Sink && !seen[cur]) {
      seen[cur] = 1;
      if (scene.elements[cur].succ < 0 && scene.elements[cur].type != ElementType::Sink) { dangling = true; break; }
      cur = scene.elements[cur].succ;
    }
    if (dangling) continue;  // the broken 'to' further on is reported there
    if (cur >= 0 && scene.elements[cur].type != ElementType::Sink) {
      std::string circle = scene.elements[cur].name;
      for (int c = scene.elements[cur].succ; ; c = scene.elements[c].succ) {
        circle += " -> " + scene.elements[c].name;
        if (c == cur) break;
      }
      error_at(e.loc, "element " + quote(e.name),
               "no sink can be reached from it: its 'to' chain runs in a circle (" + circle + ")");
    }
  }
  // A saturated source whose parts reach a sink through buffers alone would release
  // infinitely many parts in no time: something on the way must take time.
  for (int i = 0; i < E; ++i) {
    const Element& e = scene.elements[i];
    if (e.type != ElementType::Source || !e.saturated || e.limit >= 0) continue;
    int cur = e.succ;
    std::vector<char> seen(E, 0);
    while (cur >= 0 && !seen[cur] && scene.elements[cur].type == ElementType::Buffer) {
      seen[cur] = 1;
      cur = scene.elements[cur].succ;
    }
    if (cur >= 0 && scene.elements[cur].type == ElementType::Sink)
      error_at(e.loc, "element " + quote(e.name),
               "a saturated source feeding sink " + quote(scene.elements[cur].name) +
                   " with no station or conveyor on the way would release endless parts at once; "
                   "give it an 'interarrival' or a 'limit', or put a station in between");
  }
  // An element no source reaches never sees a part: legal, but almost always a slip.
  std::vector<char> reached(E, 0);
  for (int i = 0; i < E; ++i) {
    if (scene.elements[i].type != ElementType::Source) continue;
    std::vector<char> seen(E, 0);
    for (int cur = i; cur >= 0 && !seen[cur]; cur = scene.elements[cur].succ) {
      seen[cur] = 1;
      reached[cur] = 1;
    }
  }
  for (int i = 0; i < E; ++i)
    if (!reached[i])
      diag_.warning(file_, scene.elements[i].loc,
                    "element " + quote(scene.elements[i].name) + ": no source feeds it; it will never see a part");
}

void SceneReader::resolve_conveyors(Scene& scene, const std::vector<YAML::Node>& nodes) {
  // Which part types reach each element: the default spacing is the longest side of those.
  const int E = static_cast<int>(scene.elements.size());
  std::vector<double> longest(E, 0);
  for (int i = 0; i < E; ++i) {
    const Element& s = scene.elements[i];
    if (s.type != ElementType::Source || scene.parts.empty()) continue;
    const PartType& p = scene.parts[s.part];
    double side = p.has_size ? std::max({p.size[0], p.size[1], p.size[2]}) : 0;
    std::vector<char> seen(E, 0);
    for (int cur = s.succ; cur >= 0 && !seen[cur]; cur = scene.elements[cur].succ) {
      seen[cur] = 1;
      longest[cur] = std::max(longest[cur], side);
    }
  }
  for (int i = 0; i < E; ++i) {
    Element& e = scene.elements[i];
    if (e.type != ElementType::Conveyor) continue;
    const YAML::Node& n = nodes[i];
    if (e.length_m <= 0 && !n["length"] && !n["path"]) {
      const Element* to = e.succ >= 0 ? &scene.elements[e.succ] : nullptr;
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
    if (e.spacing_m <= 0) e.spacing_m = longest[i] > 0 ? longest[i] : 0.5;
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
  const std::vector<std::string> keys = settable_keys(e);
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
  const size_t key_len = rest.rfind("failures.", 0) == 0 ? rest.find('.', 9) : rest.find('.');
  p.key = rest.substr(0, key_len);
  p.sub = key_len == std::string::npos ? "" : rest.substr(key_len + 1);
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
  check_map(root, "", {"plantwin", "name", "description", "run", "parts", "elements", "variants", "physics"});
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
  // These blocks are rejected as a whole: point at their key, not into them.
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
    if (k == "physics")
      error(it->first, "key 'physics'",
            "the physics block is not supported yet by this version of plantwin (physics conveyors come later)");
  }
  if (require(root, "run", "key 'run'")) read_run(root["run"], scene.run);
  if (root["parts"]) read_parts(root["parts"], scene);
  if (scene.parts.empty()) scene.parts.push_back(PartType{"part"});

  if (!require(root, "elements", "key 'elements'")) return;
  const YAML::Node& els = root["elements"];
  if (!els.IsMap() || els.size() == 0) {
    error(els, "key 'elements'", "expected a map of element names to elements, got " + describe(els));
    return;
  }
  std::vector<std::pair<std::string, YAML::Node>> to_refs;
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
    read_element(name, it->first, it->second, scene, to_refs);
    if (scene.elements.size() > before) element_nodes.push_back(it->second);
  }
  resolve_graph(scene, to_refs, els, seen);
  resolve_conveyors(scene, element_nodes);
  if (root["variants"]) read_variants(root["variants"], scene, VariantsContext{scene, element_nodes, seen});
}

}  // namespace

LoadResult load_scene_text(const std::string& text, const std::string& path) {
  LoadResult r;
  Scene scene;
  scene.path = path;
  scene.text = text;
  YAML::Node root;
  try {
    root = YAML::Load(text);
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
  if (!r.diagnostics.has_errors()) r.scene = std::move(scene);
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
