// HDF5 plumbing shared by the results reader and writer: errors from HDF5's error stack
// become std::runtime_error, identifiers are owned by RAII handles, and HDF5's own printing
// of errors can be silenced for a scope.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>

namespace plantwin::h5 {

// HDF5's innermost (most specific) error description, e.g. the errno text of a failed
// open; empty when the stack holds none. Clears HDF5's error stack.
std::string hdf5_reason();

// Throws std::runtime_error("WHAT: REASON") with hdf5_reason(), or just "WHAT" when HDF5
// gave no reason; the error stack is cleared.
[[noreturn]] void fail(const std::string& what);

// fail(what) when `status` is negative (HDF5's failure); otherwise does nothing.
void check(herr_t status, const std::string& what);

// Owns one HDF5 identifier and closes it with its matching H5*close, so that an exception
// half-way through releases every handle as the stack unwinds. Move-only.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  // Takes ownership of `id`; fail(what) when it is negative (the call that made it failed).
  Hid(hid_t id, Closer closer, const std::string& what);
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  Hid(Hid&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  // Closes the identifier if still owned; a failure to close is not reported.
  ~Hid();
  operator hid_t() const { return id_; }
  // Closes now and checks the result; a destructor cannot report that, and closing the
  // file is where HDF5 flushes everything, so its failure must not be lost. The handle
  // owns nothing afterwards, even when this throws.
  void close(const std::string& what);

 private:
  hid_t id_;
  Closer closer_;
};

// Disables HDF5's printing of its error stack for the scope (errors become exceptions
// instead) and restores the caller's setting afterwards.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors();
  ~QuietHdf5Errors();
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// File (little-endian, fixed) and memory (native) HDF5 types of each number type the
// results file stores: int32_t, int64_t, uint64_t and double.
template <class T> struct Types;
template <> struct Types<int32_t> {
  static hid_t file() { return H5T_STD_I32LE; }
  static hid_t memory() { return H5T_NATIVE_INT32; }
};
template <> struct Types<int64_t> {
  static hid_t file() { return H5T_STD_I64LE; }
  static hid_t memory() { return H5T_NATIVE_INT64; }
};
template <> struct Types<uint64_t> {
  static hid_t file() { return H5T_STD_U64LE; }
  static hid_t memory() { return H5T_NATIVE_UINT64; }
};
template <> struct Types<double> {
  static hid_t file() { return H5T_IEEE_F64LE; }
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
};

}  // namespace plantwin::h5
