#include "engine/variants/overrides.h"


#include <algorithm>
#include <cctype>
#include <optional>

#include "engine/scene/diagnostics.h"
#include "engine/scene/units.h"
#include "engine/variants/param_access.h"
#include "engine/variants/variant_set.h"

namespace plantwin {

namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Resolves `text` as the loader resolves a variants path; "" in *msg on success.
std::optional<ParamPath> resolve(const Scene& s, const std::string& text, std::string* msg) {
  const std::string first = text.substr(0, text.find('.'));
  if (first == "run") {
    *msg = quote(text) + " is a run setting, not a parameter; use --horizon, --warmup, --replications or --seed";
    return std::nullopt;
  }
  int el = -1;  // element names may contain dots: the longest name the path starts with
  for (size_t i = 0; i < s.elements.size(); ++i) {
    const std::string& nm = s.elements[i].name;
    if (text.size() > nm.size() + 1 && text.compare(0, nm.size(), nm) == 0 && text[nm.size()] == '.' &&
        (el < 0 || nm.size() > s.elements[static_cast<size_t>(el)].name.size()))
      el = static_cast<int>(i);
  }
  if (el < 0) {
    *msg = "unknown parameter " + quote(text);
    if (text.find('.') == std::string::npos) {
      *msg += ": a parameter is written element.key, such as 'm1.process'";
    } else {
      std::vector<std::string> names;
      for (const auto& e : s.elements) names.push_back(e.name);
      *msg += ": no element named " + quote(first);
      std::string hint = did_you_mean(first, names);
      if (!hint.empty()) *msg += "; did you mean " + quote(hint + text.substr(first.size())) + "?";
    }
    return std::nullopt;
  }
  const Element& e = s.elements[static_cast<size_t>(el)];
  const std::string rest = text.substr(e.name.size() + 1);
  const std::vector<std::string> keys = settable_keys(s, e);
  if (std::find(keys.begin(), keys.end(), rest) == keys.end()) {
    *msg = "unknown parameter " + quote(text);
    std::string hint = did_you_mean(rest, keys);
    if (!hint.empty()) {
      *msg += "; did you mean " + quote(e.name + "." + hint) + "?";
    } else if (keys.empty()) {
      *msg += ": " + std::string(element_type_name(e.type)) + " " + quote(e.name) + " has no parameter that can be set";
    } else {
      *msg += ": the parameters of " + std::string(element_type_name(e.type)) + " " + quote(e.name) + " are ";
      for (size_t i = 0; i < keys.size(); ++i) *msg += (i ? ", " : "") + e.name + "." + keys[i];
    }
    return std::nullopt;
  }
  ParamPath p;
  p.text = text;
  p.element = el;
  split_param_key(s, e, rest, p);
  classify_param(s, p);
  return p;
}

// The value text read as p's kind; "" in *msg on success.
std::optional<ParamValue> parse_value(const ParamPath& p, const std::string& text, std::string* msg) {
  ParamValue v;
  switch (p.kind) {
    case ParamKind::Number:
      if (auto x = parse_number(text)) { v.value = *x; return v; }
      *msg = "expected a finite number, got " + quote(text);
      break;
    case ParamKind::Duration:
      if (auto x = parse_duration(text)) { v.value = *x; return v; }
      *msg = "expected a duration such as 30, 90s, 2.5min, 8h, 1d or 250ms, got " + quote(text);
      break;
    case ParamKind::Count:
      if (auto x = parse_integer(text)) { v.value = static_cast<double>(*x); return v; }
      *msg = "expected a whole number, got " + quote(text);
      break;
    case ParamKind::Position: {
      *msg = "expected a position [x,y,z] in metres, got " + quote(text);
      if (text.size() < 2 || text.front() != '[' || text.back() != ']') break;
      std::vector<std::string> parts;
      std::string inner = text.substr(1, text.size() - 2);
      size_t at = 0;
      for (;;) {
        size_t c = inner.find(',', at);
        parts.push_back(trim(inner.substr(at, c == std::string::npos ? std::string::npos : c - at)));
        if (c == std::string::npos) break;
        at = c + 1;
      }
      if (parts.size() != 3) break;
      bool ok = true;
      for (size_t i = 0; i < 3; ++i) {
        auto x = parse_number(parts[i]);
        if (x) v.position[i] = *x; else ok = false;
      }
      if (ok) return v;
      break;
    }
  }
  return std::nullopt;
}

}  // namespace

bool apply_overrides(Scene& scene, const std::vector<std::string>& assignments, std::vector<std::string>& errors) {
  const size_t errors_before = errors.size();
  std::vector<ParamPath> params;
  std::vector<ParamValue> values;
  std::vector<std::string> given;  // the assignment text of each parameter
  for (const std::string& a : assignments) {
    auto fail = [&](const std::string& msg) { errors.push_back("--set " + quote(a) + ": " + msg); };
    const size_t eq = a.find('=');
    if (eq == std::string::npos) {
      fail("expected path=value, such as m1.process.mean=40s");
      continue;
    }
    const std::string path = trim(a.substr(0, eq)), text = trim(a.substr(eq + 1));
    std::string msg;
    auto p = resolve(scene, path, &msg);
    if (!p) {
      fail(msg);
      continue;
    }
    auto v = parse_value(*p, text, &msg);
    if (!v) {
      fail(msg);
      continue;
    }
    bool twice = false;
    for (const auto& q : params) twice |= same_param(q, *p);
    if (twice) {
      fail("parameter " + quote(p->text) + " is set twice");
      continue;
    }
    params.push_back(*p);
    values.push_back(*v);
    given.push_back(a);
  }
  if (errors.size() > errors_before) return false;

  Scene s = scene;
  set_params_checked(s, scene, params, values,
                     [&](size_t p, const std::string& msg) { errors.push_back("--set " + quote(given[p]) + ": " + msg); });
  if (errors.size() > errors_before) return false;

  // The variants now apply on top of the new baseline: check them again.
  if (!s.variants.empty()) {
    Diagnostics diag;
    const VariantSet set = expand_variants(s);
    for (size_t v = 1; v < set.size(); ++v) apply_variant(s, set, v, diag);
    for (const auto& d : diag.sorted())
      if (d.severity == Severity::Error) errors.push_back(d.format() + " (with the --set values)");
    if (errors.size() > errors_before) return false;
  }
  scene = std::move(s);
  return true;
}

}  // namespace plantwin
