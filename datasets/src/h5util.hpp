#pragma once
// Private HDF5 helpers shared by the serial reader/writer (dataset.cpp) and the parallel writer
// (generate.cpp): RAII handles, silenced automatic error printing, errors that name the file.
#include <hdf5.h>

#include <string>
#include <vector>

#include "pdesym/common/error.hpp"
#include "pdesym/datasets/dataset.hpp"

namespace pdesym::datasets::h5 {

/// Owns one HDF5 identifier and closes it with the right H5?close function.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles are passed straight to the C API
  bool valid() const { return id_ >= 0; }
  /// Closes now; returns false if the close call failed (for files, this is where data gets flushed).
  bool reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Turns off HDF5's automatic printing of its error stack (we report errors ourselves).
void silence_errors();
/// The innermost message of HDF5's current error stack ("" if none), then clears the stack.
std::string last_error();

/// Throws pdesym::Error("<file>: <what> (HDF5: <detail>)") if id < 0; returns a Handle otherwise.
Handle check(hid_t id, const std::string& file, const std::string& what);
void check_status(herr_t st, const std::string& file, const std::string& what);

/// Dataset and group creation helpers (contiguous float64 storage, no fill-value writes).
Handle create_group(hid_t loc, const std::string& name, const std::string& file);
Handle create_f64(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims, const std::string& file);

/// Root attributes.
void write_string_attr(hid_t obj, const std::string& name, const std::string& value, const std::string& file);
void write_double_attr(hid_t obj, const std::string& name, double value, const std::string& file);
void write_int64_attr(hid_t obj, const std::string& name, long long value, const std::string& file);
void write_attributes(hid_t file_id, const Attributes& attrs, const std::string& file);

/// Checks that a split can be written: name usable as an HDF5 group, 1-D scalar, and Split::validate (sizes,
/// finite values, uniform t, dx consistent with x).
void validate_split_for_write(const Split& s, const std::string& file);

}  // namespace pdesym::datasets::h5
