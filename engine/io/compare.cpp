#include "engine/io/compare.h"

#include "engine/io/lane_kpis.h"
#include "engine/io/text_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace plantwin {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The KPI names close to `given`: those containing it or contained in it (case-insensitive),
// else those within edit distance 3.
std::vector<std::string> similar_kpis(const std::string& given) {
  std::vector<std::string> out;
  const std::string g = lower(given);
  for (const auto& k : lane_kpis()) {
    const std::string n = k.name;
    if (!g.empty() && (n.find(g) != std::string::npos || g.find(n) != std::string::npos))
      out.push_back(n);
  }
  if (out.empty())
    for (const auto& k : lane_kpis())
      if (edit_distance(g, k.name) <= 3) out.push_back(k.name);
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep, const std::string& quote = "") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + quote + items[i] + quote;
  return out;
}


MeanCI paired(const std::vector<double>& x, int64_t R, int64_t v, int64_t w) {
  std::vector<double> d;
  d.reserve(static_cast<size_t>(R));
  for (int64_t rep = 0; rep < R; ++rep) {
    const double a = x[static_cast<size_t>(v * R + rep)], b = x[static_cast<size_t>(w * R + rep)];
    if (std::isfinite(a) && std::isfinite(b)) d.push_back(a - b);
  }
  return mean_ci95(d.data(), static_cast<int64_t>(d.size()));
}

// ---- formatting ----

std::string json_number(double v) {
  const std::string p = plain(v);
  return p.empty() ? "null" : p;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}


// A parameter's value for variant v as text for the table: "%g", a position as [x;y;z].
std::string param_text(const VariantParam& p, int64_t v) {
  char text[64];
  if (p.components == 1) {
    std::snprintf(text, sizeof text, "%g", p.values[static_cast<size_t>(v)]);
    return text;
  }
  std::string out = "[";
  for (int k = 0; k < p.components; ++k) {
    std::snprintf(text, sizeof text, "%g", p.values[static_cast<size_t>(v * p.components + k)]);
    out += (k ? ";" : "") + std::string(text);
  }
  return out + "]";
}

std::string with_unit(const std::string& name, const std::string& unit) {
  return unit.empty() ? name : name + " [" + unit + "]";
}

void write_table(std::ostream& os, const Comparison& c) {
  const bool show_params = !c.params.empty() && c.params.size() <= 4;
  std::vector<std::string> header = {"rank", "variant"};
  std::vector<bool> left = {false, true};
  if (show_params)
    for (const auto& p : c.params) {
      header.push_back(with_unit(p.name, p.unit));
      left.push_back(false);
    }
  for (const char* h : {"mean", "± ci95", "diff", "± ci95"}) {
    header.push_back(with_unit(h, c.unit));
    left.push_back(false);
  }
  header.push_back("mark");
  left.push_back(true);

  // One number of decimals for the whole table: 4 significant digits of the largest mean,
  // finer where needed to show the smallest finite positive half-width to 2.
  double largest = 0, smallest_ci = std::numeric_limits<double>::infinity();
  for (const auto& row : c.rows) {
    if (std::isfinite(row.kpi.mean)) largest = std::max(largest, std::fabs(row.kpi.mean));
    for (double ci : {row.kpi.ci95, row.diff.ci95})
      if (std::isfinite(ci) && ci > 0) smallest_ci = std::min(smallest_ci, ci);
  }
  const int decimals = std::max(decimals_for(largest, 4), decimals_for(smallest_ci, 2));
  auto num = [&](double v) { return std::isfinite(v) ? fixed(v, decimals) : std::string("n/a"); };
  auto signed_num = [&](double v) {
    if (!std::isfinite(v)) return std::string("n/a");
    std::string t = fixed(v, decimals);
    return t[0] == '-' ? t : "+" + t;
  };

  std::vector<std::vector<std::string>> rows;
  for (const auto& row : c.rows) {
    std::vector<std::string> cells = {std::to_string(row.rank), row.name};
    if (show_params)
      for (const auto& p : c.params) cells.push_back(param_text(p, row.variant));
    cells.push_back(num(row.kpi.mean));
    cells.push_back(num(row.kpi.ci95));
    cells.push_back(signed_num(row.diff.mean));
    cells.push_back(num(row.diff.ci95));
    cells.push_back(row.mark);
    rows.push_back(cells);
  }

  os << "KPI " << with_unit(c.kpi, c.unit) << " (" << (c.higher_is_better ? "higher" : "lower")
     << " is better), " << c.rows.size() << " variant" << (c.rows.size() == 1 ? "" : "s") << " x "
     << c.replications << " replication" << (c.replications == 1 ? "" : "s") << "; diff: paired, to baseline '"
     << c.baseline_name << "'\n";
  print_table(os, header, left, rows);
  if (c.params.size() > 4)
    os << "note: " << c.params.size() << " varied parameters; see --format csv or json for their values\n";
  for (const auto& n : c.notes) os << "note: " << n << '\n';
}

void write_csv(std::ostream& os, const Comparison& c) {
  std::vector<std::string> header = {"rank", "variant"};
  for (const auto& p : c.params) {
    if (p.components == 3)
      for (const char* axis : {".x", ".y", ".z"}) header.push_back(p.name + axis);
    else if (p.components == 1)
      header.push_back(p.name);
    else
      for (int k = 0; k < p.components; ++k) header.push_back(p.name + "." + std::to_string(k));
  }
  for (const char* h : {"mean", "ci95", "n", "diff_mean", "diff_ci95", "mark"}) header.push_back(h);
  for (size_t k = 0; k < header.size(); ++k) os << (k ? "," : "") << csv_field(header[k]);
  os << '\n';
  for (const auto& row : c.rows) {
    os << row.rank << ',' << csv_field(row.name);
    for (const auto& p : c.params)
      for (int k = 0; k < p.components; ++k)
        os << ',' << plain(p.values[static_cast<size_t>(row.variant * p.components + k)]);
    os << ',' << plain(row.kpi.mean) << ',' << plain(row.kpi.ci95) << ',' << row.kpi.n << ','
       << plain(row.diff.mean) << ',' << plain(row.diff.ci95) << ',' << row.mark << '\n';
  }
}

void write_json(std::ostream& os, const Comparison& c) {
  os << "{\n  \"kpi\": " << json_string(c.kpi) << ",\n  \"unit\": " << json_string(c.unit)
     << ",\n  \"higher_is_better\": " << (c.higher_is_better ? "true" : "false")
     << ",\n  \"baseline\": " << json_string(c.baseline_name) << ",\n  \"replications\": " << c.replications
     << ",\n  \"parameters\": [";
  for (size_t i = 0; i < c.params.size(); ++i)
    os << (i ? ", " : "") << "{\"name\": " << json_string(c.params[i].name)
       << ", \"unit\": " << json_string(c.params[i].unit) << ", \"components\": " << c.params[i].components << "}";
  os << "],\n  \"notes\": [";
  for (size_t i = 0; i < c.notes.size(); ++i) os << (i ? ", " : "") << json_string(c.notes[i]);
  os << "],\n  \"variants\": [";
  for (size_t i = 0; i < c.rows.size(); ++i) {
    const auto& row = c.rows[i];
    os << (i ? "," : "") << "\n    {\"rank\": " << row.rank << ", \"index\": " << row.variant
       << ", \"name\": " << json_string(row.name) << ", \"params\": {";
    for (size_t k = 0; k < c.params.size(); ++k) {
      const auto& p = c.params[k];
      os << (k ? ", " : "") << json_string(p.name) << ": ";
      if (p.components == 1) {
        os << json_number(p.values[static_cast<size_t>(row.variant)]);
      } else {
        os << '[';
        for (int j = 0; j < p.components; ++j)
          os << (j ? ", " : "") << json_number(p.values[static_cast<size_t>(row.variant * p.components + j)]);
        os << ']';
      }
    }
    os << "}, \"mean\": " << json_number(row.kpi.mean) << ", \"ci95\": " << json_number(row.kpi.ci95)
       << ", \"n\": " << row.kpi.n << ", \"diff_mean\": " << json_number(row.diff.mean)
       << ", \"diff_ci95\": " << json_number(row.diff.ci95)
       << ", \"mark\": " << (row.mark.empty() ? std::string("null") : json_string(row.mark)) << "}";
  }
  os << (c.rows.empty() ? "" : "\n  ") << "]\n}\n";
}

}  // namespace

const std::vector<std::string>& compare_kpi_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& k : lane_kpis()) out.push_back(k.name);
    return out;
  }();
  return names;
}

Comparison compare_variants(const BatchResults& r, const CompareOptions& options) {
  const LaneKpi* kpi = find_lane_kpi(options.kpi);
  if (!kpi) {
    std::string msg = "unknown KPI '" + options.kpi + "'";
    const auto close = similar_kpis(options.kpi);
    if (!close.empty()) msg += "; did you mean " + join(close, " or ", "'") + "?";
    msg += " (KPIs: " + join(compare_kpi_names(), ", ") + ")";
    throw CompareError(msg);
  }
  const int64_t V = r.variants(), R = r.replications;
  if (V < 1 || R < 1 || r.lanes != V * R)
    throw CompareError("the results have no variants or their lanes do not match variants x replications");
  const std::vector<double> x = kpi_column(r, kpi->name);
  if (static_cast<int64_t>(x.size()) != r.lanes)
    throw CompareError(std::string("the results' ") + kpi->name + " column does not have one value per lane");
  for (const auto& p : r.variant_params)
    if (p.components < 1 || static_cast<int64_t>(p.values.size()) != V * p.components)
      throw CompareError("the results' parameter " + p.name + " does not have one value per variant");

  Comparison c;
  c.kpi = kpi->name;
  c.unit = kpi->unit;
  c.higher_is_better = kpi->higher_is_better;
  c.replications = R;
  c.params = r.variant_params;
  c.baseline = 0;
  if (!options.baseline.empty()) {
    auto it = std::find(r.variant_names.begin(), r.variant_names.end(), options.baseline);
    if (it == r.variant_names.end()) {
      std::vector<std::string> shown(r.variant_names.begin(),
                                     r.variant_names.begin() + std::min<int64_t>(V, 20));
      std::string msg = "unknown baseline variant '" + options.baseline + "'; variants: " + join(shown, ", ", "'");
      if (V > 20) msg += ", ... (" + std::to_string(V - 20) + " more)";
      throw CompareError(msg);
    }
    c.baseline = it - r.variant_names.begin();
  }
  c.baseline_name = r.variant_names[static_cast<size_t>(c.baseline)];

  std::vector<VariantComparison> rows(static_cast<size_t>(V));
  for (int64_t v = 0; v < V; ++v) {
    auto& row = rows[static_cast<size_t>(v)];
    row.variant = v;
    row.name = r.variant_names[static_cast<size_t>(v)];
    row.kpi = mean_ci95(x.data() + v * R, R);
    row.diff = paired(x, R, v, c.baseline);
  }
  const bool higher = kpi->higher_is_better;
  std::stable_sort(rows.begin(), rows.end(), [higher](const VariantComparison& a, const VariantComparison& b) {
    const bool fa = std::isfinite(a.kpi.mean), fb = std::isfinite(b.kpi.mean);
    if (fa != fb) return fa;
    if (!fa) return false;
    return higher ? a.kpi.mean > b.kpi.mean : a.kpi.mean < b.kpi.mean;
  });
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i].rank = (i > 0 && rows[i].kpi.mean == rows[i - 1].kpi.mean) ? rows[i - 1].rank
                                                                         : static_cast<int64_t>(i) + 1;

  const VariantComparison& best = rows.front();
  const bool best_finite = std::isfinite(best.kpi.mean);
  for (auto& row : rows) {
    row.diff_best = paired(x, R, row.variant, best.variant);
    if (R < 2 || !best_finite) continue;
    if (&row == &best) {
      row.mark = "best";
    } else if (row.diff_best.n >= 2 && std::isfinite(row.diff_best.ci95) &&
               std::fabs(row.diff_best.mean) <= row.diff_best.ci95) {
      row.mark = "~best";
    }
  }
  if (R < 2)
    c.notes.push_back("one replication: no confidence intervals (ci95 shown as 0), so no variant is marked best");
  else if (best_finite)
    c.notes.push_back("best: first by mean; ~best: the paired differences to the best have a 95 % CI containing 0");
  if (!best_finite) c.notes.push_back("no variant has a finite " + c.kpi + "; nothing is marked");
  c.rows = std::move(rows);
  return c;
}

void write_comparison(std::ostream& os, const Comparison& c, CompareFormat format) {
  switch (format) {
    case CompareFormat::kTable: write_table(os, c); break;
    case CompareFormat::kCsv: write_csv(os, c); break;
    case CompareFormat::kJson: write_json(os, c); break;
  }
}

}  // namespace plantwin
