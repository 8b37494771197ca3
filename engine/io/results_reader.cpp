// HDF5 reader of the results contract. Shapes are checked against the name lists so that
// a file that reads without error is internally consistent.
#include "engine/io/results_reader.h"

#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "engine/io/hdf5_handle.h"

namespace plantwin {
namespace {

constexpr const char* kFormat = "plantwin-results/1";

using h5::check;
using h5::fail;
using h5::hdf5_reason;
using h5::Hid;
using h5::QuietHdf5Errors;
using h5::Types;

// True when every component of the absolute `path` exists (H5Lexists needs the parents
// to exist before it can be asked about a child).
bool exists(hid_t file, const std::string& path) {
  for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (end == std::string::npos) return true;
  }
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

// Strings from a dataset or an attribute, variable-length or fixed-length (files written
// by other tools may use either).
class StringSource {
 public:
  StringSource(hid_t id, bool is_attribute) : id_(id), attribute_(is_attribute) {}
  hid_t type() const { return attribute_ ? H5Aget_type(id_) : H5Dget_type(id_); }
  hid_t space() const { return attribute_ ? H5Aget_space(id_) : H5Dget_space(id_); }
  herr_t read(hid_t memory, void* buffer) const {
    return attribute_ ? H5Aread(id_, memory, buffer)
                      : H5Dread(id_, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
  }

 private:
  hid_t id_;
  bool attribute_;
};

std::vector<std::string> read_strings(const StringSource& source, const std::string& what) {
  Hid type(source.type(), H5Tclose, what);
  Hid space(source.space(), H5Sclose, what);
  if (H5Tget_class(type) != H5T_STRING) throw std::runtime_error(what + " does not hold strings");
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  if (count < 0) fail(what);
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(count));
  if (count == 0) return out;
  if (H5Tis_variable_str(type) > 0) {
    Hid memory(H5Tcopy(H5T_C_S1), H5Tclose, what);
    check(H5Tset_size(memory, H5T_VARIABLE), what);
    check(H5Tset_cset(memory, H5Tget_cset(type)), what);
    std::vector<char*> texts(static_cast<size_t>(count), nullptr);
    check(source.read(memory, texts.data()), what);
    for (const char* text : texts) out.emplace_back(text ? text : "");
    H5Dvlen_reclaim(memory, space, H5P_DEFAULT, texts.data());
  } else {
    const size_t size = H5Tget_size(type);
    Hid memory(H5Tcopy(type), H5Tclose, what);
    std::vector<char> bytes(size * static_cast<size_t>(count));
    check(source.read(memory, bytes.data()), what);
    const bool space_padded = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
    for (hssize_t i = 0; i < count; ++i) {
      const char* text = bytes.data() + i * size;
      size_t length = strnlen(text, size);
      while (space_padded && length > 0 && text[length - 1] == ' ') --length;
      out.emplace_back(text, length);
    }
  }
  return out;
}

std::string read_string_attribute(hid_t object, const char* name) {
  const std::string what = std::string("attribute ") + name;
  Hid attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "reading " + what);
  std::vector<std::string> values = read_strings(StringSource(attribute, true), what);
  if (values.size() != 1) throw std::runtime_error(what + " is not a single string");
  return values[0];
}

template <class T>
T read_number_attribute(hid_t object, const char* name) {
  const std::string what = std::string("attribute ") + name;
  Hid attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "reading " + what);
  Hid space(H5Aget_space(attribute), H5Sclose, what);
  if (H5Sget_simple_extent_npoints(space) != 1)
    throw std::runtime_error(what + " is not a single number");
  T value{};
  check(H5Aread(attribute, Types<T>::memory(), &value), "reading " + what);
  return value;
}

std::vector<hsize_t> dataset_shape(hid_t dataset, const std::string& path) {
  Hid space(H5Dget_space(dataset), H5Sclose, path);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) fail(path);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), path);
  return dims;
}

std::vector<std::string> read_string_dataset(hid_t file, const std::string& path) {
  Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "opening " + path);
  if (dataset_shape(dataset, path).size() != 1)
    throw std::runtime_error(path + " is not one-dimensional");
  return read_strings(StringSource(dataset, false), path);
}

// Reads a numeric dataset, converting to T, after checking its shape is `expected`.
template <class T>
std::vector<T> read_numbers(hid_t file, const std::string& path,
                            const std::vector<hsize_t>& expected) {
  Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "opening " + path);
  const std::vector<hsize_t> dims = dataset_shape(dataset, path);
  if (dims != expected)
    throw std::runtime_error(path + " has shape " + shape_text(dims) + ", expected " +
                             shape_text(expected));
  size_t count = 1;
  for (hsize_t d : dims) count *= static_cast<size_t>(d);
  std::vector<T> values(count);
  if (count > 0)
    check(H5Dread(dataset, Types<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading " + path);
  return values;
}

// The names of the members of the group at `group_path`, in HDF5's name order.
std::vector<std::string> member_names(hid_t file, const std::string& group_path) {
  Hid group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose, "opening " + group_path);
  H5G_info_t info{};
  check(H5Gget_info(group, &info), "reading " + group_path);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                              nullptr, 0, H5P_DEFAULT);
    if (length < 0) fail("reading " + group_path);
    std::string name(static_cast<size_t>(length) + 1, '\0');
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                           H5P_DEFAULT) < 0)
      fail("reading " + group_path);
    name.resize(static_cast<size_t>(length));
    names.push_back(std::move(name));
  }
  return names;
}

// The datasets of /variants/params (absent or empty group: none), in HDF5's name order
// (the writer does not track creation order). Each is [V] or [V, 3]; `unit` is optional.
std::vector<VariantParam> read_variant_params(hid_t file, hsize_t V) {
  std::vector<VariantParam> params;
  const std::string group_path = "/variants/params";
  if (!exists(file, group_path)) return params;
  for (const std::string& name : member_names(file, group_path)) {
    const std::string path = group_path + "/" + name;
    VariantParam p;
    p.name = name;
    {
      Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "opening " + path);
      const std::vector<hsize_t> dims = dataset_shape(dataset, path);
      if (dims.size() == 2) p.components = static_cast<int>(dims[1]);
      if (H5Aexists(dataset, "unit") > 0) p.unit = read_string_attribute(dataset, "unit");
    }
    std::vector<hsize_t> expected = {V};
    if (p.components != 1) expected.push_back(static_cast<hsize_t>(p.components));
    p.values = read_numbers<double>(file, path, expected);
    params.push_back(std::move(p));
  }
  return params;
}

// The factory KPIs, all required once /parts/name is there (files from before them have none
// of these datasets and read with the vectors empty).
void read_factory_kpis(hid_t file, BatchResults& r) {
  const hsize_t L = static_cast<hsize_t>(r.lanes), V = r.variant_names.size();
  const hsize_t S = r.station_names.size(), B = r.buffer_names.size();
  r.part_names = read_string_dataset(file, "/parts/name");
  if (r.part_names.empty()) throw std::runtime_error("/parts/name is empty");
  const hsize_t P = r.part_names.size();
  r.produced_by_part = read_numbers<int64_t>(file, "/parts/produced", {L, P});
  r.throughput_by_part_per_h = read_numbers<double>(file, "/parts/throughput_per_h", {L, P});

  r.lead_time_p50_s = read_numbers<double>(file, "/kpi/lead_time_p50_s", {L});
  r.lead_time_p90_s = read_numbers<double>(file, "/kpi/lead_time_p90_s", {L});
  r.lead_time_p95_s = read_numbers<double>(file, "/kpi/lead_time_p95_s", {L});
  r.lead_time_max_s = read_numbers<double>(file, "/kpi/lead_time_max_s", {L});

  r.station_oee = read_numbers<double>(file, "/stations/oee", {L, S});
  r.station_availability = read_numbers<double>(file, "/stations/availability", {L, S});
  r.station_performance = read_numbers<double>(file, "/stations/performance", {L, S});
  r.station_quality = read_numbers<double>(file, "/stations/quality", {L, S});
  r.station_scrapped = read_numbers<int64_t>(file, "/stations/scrapped", {L, S});
  r.station_reworked = read_numbers<int64_t>(file, "/stations/reworked", {L, S});
  r.station_active_fraction = read_numbers<double>(file, "/stations/active_fraction", {L, S});
  r.station_mean_active_period_s =
      read_numbers<double>(file, "/stations/mean_active_period_s", {L, S});
  r.bottleneck = read_numbers<int32_t>(file, "/stations/bottleneck", {L});
  for (hsize_t l = 0; l < L; ++l)
    if (r.bottleneck[l] < -1 || r.bottleneck[l] >= static_cast<int32_t>(S))
      throw std::runtime_error("/stations/bottleneck of lane " + std::to_string(l) + " is " +
                               std::to_string(r.bottleneck[l]) + ", not a station index or -1");
  r.bottleneck_share = read_numbers<double>(file, "/stations/bottleneck_share", {V, S});

  r.buffer_max_level = read_numbers<int64_t>(file, "/buffers/max_level", {L, B});

  r.pool_names = read_string_dataset(file, "/operators/name");
  r.operator_utilisation =
      read_numbers<double>(file, "/operators/utilisation", {L, r.pool_names.size()});
  r.robot_names = read_string_dataset(file, "/robots/name");
  r.robot_utilisation = read_numbers<double>(file, "/robots/utilisation", {L, r.robot_names.size()});
}


// A lane index written as a group member's name ("0", "17"); -1 when `name` is not one.
int64_t lane_of_name(const std::string& name) {
  if (name.empty() || name.size() > 18 || name.find_first_not_of("0123456789") != std::string::npos ||
      (name.size() > 1 && name[0] == '0'))
    return -1;
  return std::stoll(name);
}

// One recorded lane: /physics/trajectory/<lane> [steps, bodies, 7] and
// /physics/trajectory_time_s/<lane> [steps].
LaneTrajectory read_trajectory(hid_t file, int64_t lane) {
  LaneTrajectory t;
  t.lane = lane;
  const std::string path = "/physics/trajectory/" + std::to_string(lane);
  const std::string time_path = "/physics/trajectory_time_s/" + std::to_string(lane);
  std::vector<hsize_t> dims;
  {
    Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "opening " + path);
    dims = dataset_shape(dataset, path);
    if (dims.size() != 3 || dims[2] != 7)
      throw std::runtime_error(path + " has shape " + shape_text(dims) +
                               ", expected [steps, bodies, 7]");
    if (H5Aexists(dataset, "lane") > 0 && read_number_attribute<int64_t>(dataset, "lane") != lane)
      throw std::runtime_error(path + ": attribute lane disagrees with the dataset's name");
  }
  t.bodies = static_cast<int64_t>(dims[1]);
  t.pose = read_numbers<double>(file, path, dims);
  t.time_s = read_numbers<double>(file, time_path, {dims[0]});
  return t;
}

// The physical conveyors' results (docs/results.md, /physics), all required once
// /physics/lost is there; files without physical conveyors, or from before them, have none.
void read_physics(hid_t file, BatchResults& r) {
  const hsize_t L = static_cast<hsize_t>(r.lanes);
  if (H5Aexists(file, "physics_engine") <= 0)
    throw std::runtime_error("/physics without the root attribute physics_engine");
  r.physics_engine = read_string_attribute(file, "physics_engine");
  r.physics_lost = read_numbers<int64_t>(file, "/physics/lost", {L});
  r.physics_contact_overflow = read_numbers<int64_t>(file, "/physics/contact_overflow", {L});
  r.physics_steps = read_numbers<int64_t>(file, "/physics/steps", {L});
  const std::string group_path = "/physics/trajectory";
  if (!exists(file, group_path)) return;
  // The lanes in the order they were asked for (the group attribute `lanes`), else in
  // increasing lane order.
  std::vector<int64_t> lanes;
  for (const std::string& name : member_names(file, group_path)) {
    const int64_t lane = lane_of_name(name);
    if (lane < 0 || lane >= r.lanes)
      throw std::runtime_error(group_path + "/" + name + ": not a lane of this batch");
    lanes.push_back(lane);
  }
  std::sort(lanes.begin(), lanes.end());
  {
    Hid group(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), H5Gclose, "opening " + group_path);
    if (H5Aexists(group, "lanes") > 0) {
      const std::string what = "attribute lanes of " + group_path;
      Hid attribute(H5Aopen(group, "lanes", H5P_DEFAULT), H5Aclose, "reading " + what);
      Hid space(H5Aget_space(attribute), H5Sclose, what);
      const hssize_t count = H5Sget_simple_extent_npoints(space);
      if (count < 0) fail(what);
      std::vector<int64_t> ordered(static_cast<size_t>(count));
      if (count > 0) check(H5Aread(attribute, Types<int64_t>::memory(), ordered.data()), "reading " + what);
      std::vector<int64_t> sorted = ordered;
      std::sort(sorted.begin(), sorted.end());
      if (sorted != lanes)
        throw std::runtime_error(what + " does not list the lanes the group holds");
      lanes = ordered;
    }
  }
  for (int64_t lane : lanes) r.trajectories.push_back(read_trajectory(file, lane));
}

BatchResults read_contents(hid_t file, std::string* plantwin_version) {
  BatchResults r;
  if (plantwin_version) *plantwin_version = read_string_attribute(file, "plantwin_version");
  r.scene_name = read_string_attribute(file, "scene_name");
  r.scene_sha256 = read_string_attribute(file, "scene_sha256");
  r.scene_text = read_string_attribute(file, "scene");
  r.seed = read_number_attribute<uint64_t>(file, "seed");
  r.horizon_s = read_number_attribute<double>(file, "horizon_s");
  r.warmup_s = read_number_attribute<double>(file, "warmup_s");
  r.replications = read_number_attribute<int32_t>(file, "replications");
  r.backend = read_string_attribute(file, "backend");
  r.created_utc = read_string_attribute(file, "created_utc");

  r.variant_names = read_string_dataset(file, "/variants/name");
  const hsize_t V = r.variant_names.size();
  if (r.replications < 1)
    throw std::runtime_error("replications is " + std::to_string(r.replications));
  const hsize_t L = V * static_cast<hsize_t>(r.replications);
  r.lanes = static_cast<int64_t>(L);
  if (H5Aexists(file, "lanes") > 0 && read_number_attribute<int64_t>(file, "lanes") != r.lanes)
    throw std::runtime_error("attribute lanes disagrees with variants x replications");
  // The lane index datasets are derived data; read them only to check them.
  const std::vector<int32_t> lane_variant = read_numbers<int32_t>(file, "/lanes/variant", {L});
  const std::vector<int32_t> lane_replication =
      read_numbers<int32_t>(file, "/lanes/replication", {L});
  for (hsize_t l = 0; l < L; ++l)
    if (lane_variant[l] != static_cast<int32_t>(l / r.replications) ||
        lane_replication[l] != static_cast<int32_t>(l % r.replications))
      throw std::runtime_error("/lanes is not in variant-major order at lane " +
                               std::to_string(l));

  r.produced = read_numbers<int64_t>(file, "/kpi/produced", {L});
  r.throughput_per_h = read_numbers<double>(file, "/kpi/throughput_per_h", {L});
  r.wip_mean = read_numbers<double>(file, "/kpi/wip_mean", {L});
  r.lead_time_mean_s = read_numbers<double>(file, "/kpi/lead_time_mean_s", {L});
  if (exists(file, "/kpi/events")) r.events = read_numbers<int64_t>(file, "/kpi/events", {L});
  if (exists(file, "/lanes/deadlock_at_s")) r.deadlock_at_s = read_numbers<double>(file, "/lanes/deadlock_at_s", {L});

  r.element_names = read_string_dataset(file, "/elements/name");
  r.element_types = read_string_dataset(file, "/elements/type");
  if (r.element_types.size() != r.element_names.size())
    throw std::runtime_error("/elements/type and /elements/name differ in length");

  r.station_names = read_string_dataset(file, "/stations/name");
  {
    const std::string path = "/stations/state_fraction";
    const std::string what = "attribute states of " + path;
    Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "opening " + path);
    Hid states(H5Aopen(dataset, "states", H5P_DEFAULT), H5Aclose, "reading " + what);
    r.state_names = read_strings(StringSource(states, true), what);
  }
  r.state_fraction = read_numbers<double>(file, "/stations/state_fraction",
                                          {L, r.station_names.size(), r.state_names.size()});

  r.buffer_names = read_string_dataset(file, "/buffers/name");
  r.buffer_mean_level =
      read_numbers<double>(file, "/buffers/mean_level", {L, r.buffer_names.size()});

  r.variant_params = read_variant_params(file, V);

  if (exists(file, "/sources/name")) {
    r.source_names = read_string_dataset(file, "/sources/name");
    const hsize_t Q = r.source_names.size();
    r.source_released = read_numbers<int64_t>(file, "/sources/released", {L, Q});
    r.source_lost = read_numbers<int64_t>(file, "/sources/lost", {L, Q});
  }
  if (exists(file, "/parts/name")) read_factory_kpis(file, r);
  if (exists(file, "/physics/lost")) read_physics(file, r);
  return r;
}

std::runtime_error not_results(const std::string& path, const std::string& why) {
  return std::runtime_error(path + ": not a plantwin results file (" + why + ")");
}

}  // namespace

BatchResults read_results(const std::string& path) { return read_results(path, nullptr); }

BatchResults read_results(const std::string& path, std::string* plantwin_version) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) throw not_results(path, std::strerror(errno));
  if (S_ISDIR(info.st_mode)) throw not_results(path, "a folder");
  const QuietHdf5Errors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw not_results(path, "not an HDF5 file");
  }
  const hid_t file_id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_id < 0) throw not_results(path, "cannot open: " + hdf5_reason());
  const Hid file(file_id, H5Fclose, path);
  if (H5Aexists(file, "format") <= 0) throw not_results(path, "no format attribute");
  std::string format;
  try {
    format = read_string_attribute(file, "format");
  } catch (const std::exception& e) {
    throw not_results(path, e.what());
  }
  if (format != kFormat)
    throw not_results(path, "format is '" + format + "', expected '" + kFormat + "'");
  try {
    return read_contents(file, plantwin_version);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": corrupt results file (" + e.what() + ")");
  }
}

}  // namespace plantwin
