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
/// A 1-D array of variable-length UTF-8 strings (h5py reads it as an array of str).
void write_string_array_attr(hid_t obj, const std::string& name, const std::vector<std::string>& values,
                             const std::string& file);
/// Root attributes; for an n-D file (attrs.is_nd()) also layout, dim and components.
void write_attributes(hid_t file_id, const Attributes& attrs, const std::string& file);

/// Why `name` cannot name a component data set ("" if it can): empty, contains '/', ".", "..", a coordinate name
/// (x, y, t, dx, dy, dt) or starts with "pde_".
std::string component_name_problem(const std::string& name);

/// Checks that a split can be written (sizes consistent, names usable as HDF5 links, every trajectory valid
/// by Split::validate).
void validate_split_for_write(const Split& s, const std::string& file);

/// Shape of one component data set of an n-D split: [n, nt, ny, nx] in 2-D, [n, nt, nx] in 1-D.
std::vector<hsize_t> component_dims(hsize_t n, const FieldShape& s);

}  // namespace pdesym::datasets::h5
