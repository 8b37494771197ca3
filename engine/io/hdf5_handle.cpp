// HDF5 plumbing shared by the results reader and writer (see hdf5_handle.h).
#include "engine/io/hdf5_handle.h"

#include <stdexcept>

namespace plantwin::h5 {
namespace {

// H5Ewalk2 callback: keeps the description of the innermost error (n == 0, walking upward).
herr_t keep_innermost(unsigned n, const H5E_error2_t* error, void* out) {
  if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
  return 0;
}

}  // namespace

std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason;
}

void fail(const std::string& what) {
  const std::string reason = hdf5_reason();
  throw std::runtime_error(reason.empty() ? what : what + ": " + reason);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

Hid::Hid(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
  if (id_ < 0) fail(what);
}

Hid::~Hid() {
  if (id_ >= 0) closer_(id_);
}

void Hid::close(const std::string& what) {
  const hid_t id = id_;
  id_ = -1;
  check(closer_(id), what);
}

QuietHdf5Errors::QuietHdf5Errors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietHdf5Errors::~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

}  // namespace plantwin::h5
