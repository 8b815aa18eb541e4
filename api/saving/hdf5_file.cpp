// H5Writer and H5Reader over the HDF5 C API. The C API rather than HDF5's C++ one: its calls
// return codes Strata turns into its own errors one by one, where the C++ API throws its own
// exception types and prints the error stack by default.
//
// The hardening lives here: every path is walked one link at a time so that only hard links are
// followed; a dataset's storage (layout, external files, filter pipeline, chunk size) is checked
// before any of its data is touched; a shape is compared with the expected one before anything
// is allocated; chunks are checked against the chunk index, and deflated ones inflated once
// under a bound, before HDF5 reads them (HDF5 1.10's deflate filter grows its buffer without
// limit: a 4 KiB chunk whose stored stream inflates to 400 MB "reads" fine, after allocating
// 400 MB); contiguous data, variable-length strings and attribute headers are read or checked
// from the file image itself (hdf5_file.hpp says why).

#include "api/saving/hdf5_file.hpp"

#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <type_traits>
#include <utility>

#include "strata/error.hpp"

namespace strata::detail {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hdf5_file.hpp stores ids as std::int64_t");

struct H5ImageView {
  void* data;
  std::size_t size;
};

namespace {

// Limits on what a file may make Strata allocate beyond the data it was asked to read.
constexpr std::size_t kMaxLinksPerGroup = 1'000'000;
constexpr std::size_t kMaxStringListCount = 1'000'000;
constexpr std::size_t kMaxAttributeBytes = std::size_t{64} << 20;
// A chunk larger than its dataset needs this much at most (HDF5 reads whole chunks).
constexpr std::uint64_t kMaxChunkSlackBytes = std::uint64_t{1} << 20;

// ---- the session every call runs in -----------------------------------------------------

std::recursive_mutex& hdf5_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

// Serialises Strata's HDF5 use, silences HDF5's automatic error printing (Strata reports the
// stack itself) and turns off filter-plugin loading (a file must not make HDF5 dlopen a
// library); both are restored on the way out. Recursive, because public calls use each other.
class Session {
 public:
  Session() : lock_(hdf5_mutex()) {
    had_auto_ = H5Eget_auto2(H5E_DEFAULT, &auto_func_, &auto_data_) >= 0;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    had_plugins_ = H5PLget_loading_state(&plugins_) >= 0;
    H5PLset_loading_state(0);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    if (had_plugins_) H5PLset_loading_state(plugins_);
    H5Eclear2(H5E_DEFAULT);
    if (had_auto_) H5Eset_auto2(H5E_DEFAULT, auto_func_, auto_data_);
  }

 private:
  std::lock_guard<std::recursive_mutex> lock_;
  H5E_auto2_t auto_func_ = nullptr;
  void* auto_data_ = nullptr;
  bool had_auto_ = false;
  unsigned plugins_ = 0;
  bool had_plugins_ = false;
};

// HDF5's own account of the last failure: the outermost description (the API call's) and the
// innermost one (the cause), e.g. "unable to open file (file signature not found)".
std::string hdf5_error_stack() {
  std::vector<std::string> descriptions;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* error, void* out) -> herr_t {
        if (error->desc && *error->desc) static_cast<std::vector<std::string>*>(out)->emplace_back(error->desc);
        return 0;
      },
      &descriptions);
  H5Eclear2(H5E_DEFAULT);
  if (descriptions.empty()) return "no further detail from HDF5";
  if (descriptions.size() == 1 || descriptions.front() == descriptions.back()) return descriptions.front();
  return descriptions.front() + " (" + descriptions.back() + ")";
}

[[noreturn]] void hdf5_failed(const std::string& file, const std::string& what) {
  throw IOError(concat("'", file, "': HDF5 could not ", what, ": ", hdf5_error_stack()));
}

// A negative HDF5 return becomes an IOError naming the file and the step.
template <class T>
T checked(T result, const std::string& file, const std::string& what) {
  if (result < 0) hdf5_failed(file, what);
  return result;
}

// An HDF5 id closed when it goes out of scope (always inside the Session that opened it).
class Id {
 public:
  Id() = default;
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Id& operator=(Id&& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(close_, other.close_);
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

Id make_id(hid_t id, herr_t (*close)(hid_t), const std::string& file, const std::string& what) {
  return Id(checked(id, file, what), close);
}

// ---- paths -----------------------------------------------------------------------------------

struct Path {
  std::vector<std::string> parts;
  std::string text;  // normalised: parts joined by '/', no leading slash ("" is the root)
};

Path parse_path(const std::string& path, const std::string& file) {
  Path parsed;
  std::size_t start = (!path.empty() && path.front() == '/') ? 1 : 0;
  if (start == path.size()) return parsed;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string::npos) {
      throw ValueError(concat("'", file, "': invalid HDF5 path '", path,
                              "' (empty components, '.', '..' and NUL bytes are not allowed)"));
    }
    parsed.parts.push_back(std::move(part));
    start = end + 1;
  }
  for (const auto& part : parsed.parts) parsed.text += (parsed.text.empty() ? "" : "/") + part;
  return parsed;
}

// "the root group" or "group 'a/b'", for a path as the caller wrote it.
std::string describe_group(const std::string& path) {
  const bool root = path.find_first_not_of('/') == std::string::npos;
  return root ? std::string("the root group") : concat("group '", path, "'");
}

// The object a path leads to, or why there is none.
struct Walk {
  Id object;  // invalid when the path leads nowhere
  H5I_type_t type = H5I_BADID;
  std::string missing;   // why not, for messages: "no 'b' in group 'a'"
  bool blocked = false;  // a dataset stands where a group should be
};

// Walks `path` from the root one link at a time. A component that does not exist ends the walk
// with `missing` set; a link that is not a hard link is a ValueError before HDF5 follows it
// (soft links can loop or point anywhere, external links open other files, user-defined links
// run code from plugins).
Walk walk(hid_t file_id, const Path& path, const std::string& file) {
  Walk result;
  result.object = make_id(H5Oopen(file_id, "/", H5P_DEFAULT), H5Oclose, file, "open the root group");
  result.type = H5I_GROUP;
  std::string walked;
  for (const auto& part : path.parts) {
    const std::string here = walked.empty() ? part : walked + "/" + part;
    if (result.type != H5I_GROUP) {
      result.missing = concat("'", walked, "' is a dataset, not a group");
      result.blocked = true;
      result.object = Id();
      return result;
    }
    const htri_t exists =
        checked(H5Lexists(result.object.get(), part.c_str(), H5P_DEFAULT), file, concat("look up '", here, "'"));
    if (exists == 0) {
      result.missing = concat("no '", part, "' in ", describe_group(walked));
      result.object = Id();
      return result;
    }
    H5L_info_t link{};
    checked(H5Lget_info(result.object.get(), part.c_str(), &link, H5P_DEFAULT), file, concat("read link '", here, "'"));
    if (link.type == H5L_TYPE_SOFT) {
      throw ValueError(concat("'", file, "': '", here,
                              "' is a soft link; Strata follows hard links only (a soft link can point anywhere in "
                              "the file or form a loop)"));
    }
    if (link.type == H5L_TYPE_EXTERNAL) {
      throw ValueError(concat("'", file, "': '", here,
                              "' is an external link (to an object in another file); Strata refuses them, as Keras "
                              "does"));
    }
    if (link.type != H5L_TYPE_HARD) {
      throw ValueError(concat("'", file, "': '", here, "' is a user-defined link (type ", static_cast<int>(link.type),
                              "); Strata follows hard links only"));
    }
    Id next =
        make_id(H5Oopen(result.object.get(), part.c_str(), H5P_DEFAULT), H5Oclose, file, concat("open '", here, "'"));
    result.type = checked(H5Iget_type(next.get()), file, concat("read the kind of '", here, "'"));
    result.object = std::move(next);
    walked = here;
  }
  return result;
}

// The object at `path`, which must exist (ValueError naming the missing component otherwise).
Walk open_existing(hid_t file_id, const std::string& path, const std::string& file, const char* kind) {
  Walk found = walk(file_id, parse_path(path, file), file);
  if (!found.object) throw ValueError(concat("'", file, "': no ", kind, " '", path, "' (", found.missing, ")"));
  return found;
}

Id open_dataset(hid_t file_id, const std::string& path, const std::string& file) {
  Walk found = open_existing(file_id, path, file, "dataset");
  if (found.type != H5I_DATASET) {
    throw ValueError(concat("'", file, "': '", path, "' is ", found.type == H5I_GROUP ? "a group" : "not a dataset",
                            ", expected a dataset"));
  }
  return std::move(found.object);
}

// ---- shapes and types ------------------------------------------------------------------------

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// The product of a shape's dimensions, or nullopt when it overflows 64 bits.
std::optional<std::uint64_t> element_count(const std::vector<std::int64_t>& shape) {
  std::uint64_t count = 1;
  for (const auto dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(dim)) {
      return std::nullopt;
    }
    count *= static_cast<std::uint64_t>(dim);
  }
  return count;
}

// A dataspace's declared shape ({} for a scalar); a null dataspace and dimensions beyond int64
// are refused.
std::vector<std::int64_t> space_shape(hid_t space, const std::string& file, const std::string& what) {
  const H5S_class_t kind = H5Sget_simple_extent_type(space);
  if (kind == H5S_NO_CLASS) hdf5_failed(file, concat("read the dataspace of ", what));
  if (kind == H5S_SCALAR) return {};
  if (kind == H5S_NULL) throw ValueError(concat("'", file, "': ", what, " has a null dataspace (no data)"));
  const int rank = checked(H5Sget_simple_extent_ndims(space), file, concat("read the rank of ", what));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  checked(H5Sget_simple_extent_dims(space, dims.data(), nullptr), file, concat("read the shape of ", what));
  std::vector<std::int64_t> shape;
  for (const auto dim : dims) {
    if (dim > static_cast<hsize_t>(std::numeric_limits<std::int64_t>::max())) {
      throw ValueError(concat("'", file, "': ", what, " declares a dimension of ", dim, ", beyond 64-bit sizes"));
    }
    shape.push_back(static_cast<std::int64_t>(dim));
  }
  return shape;
}

// Whether a float type has exactly the IEEE layout of the given size (sign, exponent and
// mantissa positions, bias, implied normalisation), in either byte order. HDF5 can describe
// any float layout; only these three are read.
bool is_ieee_float(hid_t type, std::size_t size) {
  struct Layout {
    std::size_t size, spos, epos, esize, mpos, msize, bias;
  };
  static constexpr Layout kLayouts[] = {
      {2, 15, 10, 5, 0, 10, 15}, {4, 31, 23, 8, 0, 23, 127}, {8, 63, 52, 11, 0, 52, 1023}};
  for (const auto& layout : kLayouts) {
    if (layout.size != size) continue;
    std::size_t spos, epos, esize, mpos, msize;
    if (H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) < 0) return false;
    return spos == layout.spos && epos == layout.epos && esize == layout.esize && mpos == layout.mpos &&
           msize == layout.msize && H5Tget_ebias(type) == layout.bias && H5Tget_norm(type) == H5T_NORM_IMPLIED &&
           H5Tget_offset(type) == 0 && H5Tget_precision(type) == size * 8;
  }
  return false;
}

// The open file and its bytes (variable-length strings are read from the bytes directly).
struct FileImage {
  hid_t file;
  std::span<const std::byte> bytes;
};

// How the file encodes addresses and lengths, and where its addresses start (after a user
// block): what reading its structures from the image needs.
struct FileLayout {
  std::size_t sizeof_addr, sizeof_size;
  std::uint64_t base;
};

FileLayout file_layout(hid_t file_id, const std::string& file) {
  Id creation = make_id(H5Fget_create_plist(file_id), H5Pclose, file, "read the file's layout");
  std::size_t sizeof_addr = 0, sizeof_size = 0;
  hsize_t base = 0;
  checked(H5Pget_sizes(creation.get(), &sizeof_addr, &sizeof_size), file, "read the file's layout");
  checked(H5Pget_userblock(creation.get(), &base), file, "read the file's layout");
  if (sizeof_addr == 0 || sizeof_addr > 8 || sizeof_size == 0 || sizeof_size > 8) {
    throw IOError(concat("'", file, "': unsupported address or length size (", sizeof_addr, ", ", sizeof_size, ")"));
  }
  return {sizeof_addr, sizeof_size, base};
}

std::uint64_t read_little_endian(const std::byte* at, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes; i-- > 0;) value = value << 8 | static_cast<std::uint64_t>(at[i]);
  return value;
}

std::uint64_t align8(std::uint64_t size) { return (size + 7) / 8 * 8; }

// Keras 3 saves a bfloat16 variable through h5py as 2-byte values (ml_dtypes' bfloat16 becomes
// an HDF5 opaque type; a uint16 array also occurs) with the attribute dtype="bfloat16".
bool tagged_bfloat16(hid_t dataset, const FileImage& image, const std::string& file, const std::string& path);

H5Type classify(hid_t dataset, hid_t type, const FileImage& image, const std::string& file, const std::string& path) {
  const H5T_class_t kind = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (kind == H5T_NO_CLASS || size == 0) hdf5_failed(file, concat("read the type of '", path, "'"));
  if (kind == H5T_FLOAT && is_ieee_float(type, size)) {
    return size == 2 ? H5Type::float16 : size == 4 ? H5Type::float32 : H5Type::float64;
  }
  if (kind == H5T_INTEGER && H5Tget_offset(type) == 0 && H5Tget_precision(type) == size * 8) {
    const H5T_sign_t sign = H5Tget_sign(type);
    if (sign == H5T_SGN_2 && size == 4) return H5Type::int32;
    if (sign == H5T_SGN_2 && size == 8) return H5Type::int64;
    if (sign == H5T_SGN_NONE && size == 2 && tagged_bfloat16(dataset, image, file, path)) return H5Type::bfloat16;
  }
  if (kind == H5T_OPAQUE && size == 2 && tagged_bfloat16(dataset, image, file, path)) return H5Type::bfloat16;
  return H5Type::other;
}

// ---- storage checks ----------------------------------------------------------------------------

struct Storage {
  H5D_layout_t layout = H5D_CONTIGUOUS;
  std::vector<H5Z_filter_t> filters;  // the pipeline, in the order it was applied on writing
  std::vector<hsize_t> chunk;         // chunk dimensions when chunked
};

// Refuses storage Strata will not read: virtual datasets (their data comes from other files,
// Keras refuses them too), external raw-data files, filters other than deflate, shuffle and
// fletcher32 (any other id would be a plugin or a codec Strata has no need for), a filter twice
// (deflate twice multiplies the inflation of a bomb), and chunks far larger than the dataset
// (HDF5 allocates whole chunks).
Storage check_storage(hid_t dataset, const std::string& file, const std::string& path,
                      const std::vector<std::int64_t>& shape, std::size_t element_size) {
  Storage storage;
  Id plist = make_id(H5Dget_create_plist(dataset), H5Pclose, file, concat("read the storage of '", path, "'"));
  storage.layout = H5Pget_layout(plist.get());
  if (storage.layout < 0) hdf5_failed(file, concat("read the layout of '", path, "'"));
  if (storage.layout == H5D_VIRTUAL) {
    throw ValueError(concat("'", file, "': dataset '", path,
                            "' is a virtual dataset (its data comes from other datasets or files); Strata refuses "
                            "them, as Keras does"));
  }
  const int external = checked(H5Pget_external_count(plist.get()), file, concat("read the storage of '", path, "'"));
  if (external > 0) {
    throw ValueError(concat("'", file, "': dataset '", path,
                            "' keeps its data in external files; Strata reads data stored in the file only"));
  }
  const int filters = checked(H5Pget_nfilters(plist.get()), file, concat("read the filters of '", path, "'"));
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0, config = 0;
    std::size_t values = 0;
    char name[64] = {};
    const H5Z_filter_t id =
        H5Pget_filter2(plist.get(), static_cast<unsigned>(i), &flags, &values, nullptr, sizeof name, name, &config);
    if (id < 0) hdf5_failed(file, concat("read the filters of '", path, "'"));
    if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32) {
      throw ValueError(concat("'", file, "': dataset '", path, "' uses HDF5 filter ", id,
                              (name[0] ? concat(" ('", name, "')") : std::string()),
                              "; Strata reads only deflate, shuffle and fletcher32 (another filter would need a "
                              "plugin or a codec)"));
    }
    if (std::count(storage.filters.begin(), storage.filters.end(), id) > 0) {
      throw ValueError(concat("'", file, "': dataset '", path, "' applies HDF5 filter ", id,
                              " more than once; Strata refuses such pipelines"));
    }
    storage.filters.push_back(id);
  }
  if (storage.layout == H5D_CHUNKED) {
    storage.chunk.resize(H5S_MAX_RANK);
    const int rank = checked(H5Pget_chunk(plist.get(), H5S_MAX_RANK, storage.chunk.data()), file,
                             concat("read the chunk shape of '", path, "'"));
    storage.chunk.resize(static_cast<std::size_t>(rank));
    std::uint64_t chunk_bytes = element_size;
    for (const auto dim : storage.chunk) {
      if (dim == 0 || (chunk_bytes > 0 && dim > std::numeric_limits<std::uint64_t>::max() / chunk_bytes)) {
        chunk_bytes = std::numeric_limits<std::uint64_t>::max();
        break;
      }
      chunk_bytes *= dim;
    }
    const auto elements = element_count(shape).value_or(std::numeric_limits<std::uint64_t>::max());
    const std::uint64_t data_bytes =
        elements > std::numeric_limits<std::uint64_t>::max() / std::max<std::size_t>(element_size, 1)
            ? std::numeric_limits<std::uint64_t>::max()
            : elements * element_size;
    if (static_cast<std::size_t>(rank) != shape.size() || chunk_bytes > std::max(data_bytes, kMaxChunkSlackBytes)) {
      throw ValueError(concat("'", file, "': dataset '", path, "' of shape ", shape_text(shape), " has chunks of ",
                              chunk_bytes == std::numeric_limits<std::uint64_t>::max()
                                  ? std::string("an impossible size")
                                  : concat(chunk_bytes, " bytes"),
                              ", far larger than the dataset; refusing to read it"));
    }
  }
  return storage;
}

// HDF5 1.10.8 copies a compact dataset's data out of its object header, and a contiguous one's
// through a sieve buffer the size of its storage, for as many bytes as the shape and type
// declare: past the end of that memory when the storage is smaller. (A contiguous dataset never
// written has no storage and reads as its fill value.)
void check_storage_size(hid_t dataset, const Storage& storage, std::uint64_t count, std::size_t element_size,
                        const std::string& file, const std::string& path) {
  if (storage.layout != H5D_COMPACT && storage.layout != H5D_CONTIGUOUS) return;
  const hsize_t held = H5Dget_storage_size(dataset);
  if (storage.layout == H5D_CONTIGUOUS && held == 0) return;
  if (count > std::numeric_limits<std::uint64_t>::max() / element_size || held < count * element_size) {
    throw IOError(concat("'", file, "': dataset '", path, "' is damaged: its storage holds ", held,
                         " bytes, fewer than the ", count, " values of ", element_size, " bytes its shape declares"));
  }
}

// How many bytes a zlib stream inflates to, counted without keeping them and stopping once past
// `limit`; nullopt when the stream is not valid zlib data.
std::optional<std::uint64_t> inflated_size(const unsigned char* data, std::size_t size, std::uint64_t limit) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return std::nullopt;
  unsigned char scratch[1 << 14];
  stream.next_in = const_cast<unsigned char*>(data);
  std::size_t input_left = size;
  std::uint64_t total = 0;
  int status = Z_OK;
  while (status == Z_OK && total <= limit) {
    if (stream.avail_in == 0) {
      const auto take = static_cast<uInt>(std::min<std::size_t>(input_left, 1u << 30));
      stream.avail_in = take;
      input_left -= take;
    }
    stream.next_out = scratch;
    stream.avail_out = sizeof scratch;
    status = inflate(&stream, Z_NO_FLUSH);
    total += sizeof scratch - stream.avail_out;
    // No progress with no input left: the stream ends early.
    if (status == Z_BUF_ERROR && stream.avail_in == 0 && input_left == 0) break;
  }
  inflateEnd(&stream);
  if (total > limit) return total;
  if (status != Z_STREAM_END) return std::nullopt;
  return total;
}

// Checks every stored chunk against the chunk index before HDF5 reads the dataset, running
// each through the reverse pipeline's sizes (inflating deflated chunks once, counting) on the
// file image: what comes out must be exactly the chunk's size. HDF5 1.10.8 checks neither way:
// it inflates without limit (a bomb), and copies a whole chunk out of a smaller buffer when the
// index records a chunk shorter than it is (or its filters come out short, or are marked
// skipped). `shape` has already been checked against the caller's expected shape, so the walk
// over the chunk grid is bounded by the data the caller is about to allocate anyway.
void check_chunks(hid_t dataset, const Storage& storage, const std::vector<std::int64_t>& shape,
                  std::size_t element_size, const FileImage& image, const std::string& file, const std::string& path) {
  if (storage.layout != H5D_CHUNKED) return;
  const auto deflate = std::find(storage.filters.begin(), storage.filters.end(), H5Z_FILTER_DEFLATE);
  // After deflate only a fletcher32 checksum may follow (its 4 bytes end the stored chunk).
  for (auto it = deflate == storage.filters.end() ? deflate : deflate + 1; it != storage.filters.end(); ++it) {
    if (*it != H5Z_FILTER_FLETCHER32) {
      throw ValueError(concat("'", file, "': dataset '", path, "' applies filter ", *it,
                              " after deflate; Strata reads pipelines ending in deflate or deflate then fletcher32"));
    }
  }
  std::uint64_t chunk_bytes = element_size;
  for (const auto dim : storage.chunk) chunk_bytes *= dim;  // bounded by check_storage
  const std::size_t rank = shape.size();
  for (std::size_t d = 0; d < rank; ++d) {
    if (shape[d] == 0) return;  // no chunk holds data
  }
  const std::uint64_t base = file_layout(image.file, file).base;
  const auto chunk_error = [&](const std::string& what) {
    return IOError(concat("'", file, "': a chunk of dataset '", path, "' ", what));
  };
  std::vector<hsize_t> offset(rank, 0);
  for (;;) {
    unsigned skipped = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t stored = 0;
    checked(H5Dget_chunk_info_by_coord(dataset, offset.data(), &skipped, &address, &stored), file,
            concat("look up a chunk of '", path, "'"));
    if (address != HADDR_UNDEF) {
      // A chunk is never stored larger than its data and checksum: deflate is an optional
      // filter, which HDF5 skips for a chunk it does not shrink.
      if (stored > chunk_bytes + 4) {
        throw ValueError(concat("'", file, "': a chunk of dataset '", path, "' stores ", stored,
                                " bytes, more than its ", chunk_bytes, " bytes of data"));
      }
      if (address > image.bytes.size() || base > image.bytes.size() - address ||
          stored > image.bytes.size() - address - base) {
        throw chunk_error("lies outside the file");
      }
      const auto* raw = reinterpret_cast<const unsigned char*>(image.bytes.data() + base + address);
      std::uint64_t size = stored;
      for (std::size_t i = storage.filters.size(); i-- > 0;) {
        if (skipped & (1u << i)) continue;
        if (storage.filters[i] == H5Z_FILTER_FLETCHER32) {
          if (size < 4) throw chunk_error("is too short for its checksum");
          size -= 4;
        } else if (storage.filters[i] == H5Z_FILTER_DEFLATE) {
          // Only a checksum, now stripped, can have followed deflate: its stream is raw's start.
          const auto inflated = inflated_size(raw, static_cast<std::size_t>(size), chunk_bytes);
          if (!inflated) throw chunk_error("is not valid deflate data");
          if (*inflated > chunk_bytes) {
            throw ValueError(concat("'", file, "': a chunk of dataset '", path, "' inflates to more than its ",
                                    chunk_bytes, " bytes (a decompression bomb?); refusing to read it"));
          }
          size = *inflated;
        }  // shuffle keeps the size
      }
      if (size != chunk_bytes) {
        throw chunk_error(concat("holds ", size, " bytes after its filters, not its ", chunk_bytes));
      }
    }
    // The next chunk position, last dimension fastest.
    std::size_t d = rank;
    for (;;) {
      if (d == 0) return;
      --d;
      offset[d] += storage.chunk[d];
      if (offset[d] < static_cast<hsize_t>(shape[d])) break;
      offset[d] = 0;
    }
  }
}

// ---- raw data -------------------------------------------------------------------------------------

// The bytes of an allocated contiguous dataset (how Keras and h5py store every dataset by
// default), straight from the file image: Strata decodes them itself, so HDF5's raw-data path,
// whose sieve buffer 1.10.8 overruns on some damaged files, never runs for them. nullopt for
// other layouts, and for a contiguous dataset never written (HDF5 gives its fill value).
std::optional<std::span<const std::byte>> contiguous_data(hid_t dataset, const Storage& storage, std::uint64_t bytes,
                                                          const FileImage& image, const std::string& file,
                                                          const std::string& path) {
  if (storage.layout != H5D_CONTIGUOUS) return std::nullopt;
  const haddr_t address = H5Dget_offset(dataset);
  if (address == HADDR_UNDEF) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  const std::uint64_t base = file_layout(image.file, file).base;
  const std::uint64_t size = image.bytes.size();
  if (address > size || base > size - address || bytes > size - address - base) {
    throw IOError(concat("'", file, "': the data of dataset '", path, "' lies outside the file"));
  }
  return image.bytes.subspan(static_cast<std::size_t>(base + address), static_cast<std::size_t>(bytes));
}

// An unsigned integer of `size` bytes in the given byte order.
std::uint64_t load(const std::byte* at, std::size_t size, bool big_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value = value << 8 | static_cast<std::uint64_t>(at[big_endian ? i : size - 1 - i]);
  return value;
}

float bfloat16_to_float(std::uint16_t bits) { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }

// IEEE half to float, exactly (every half is a float), subnormals, infinities and NaN included.
float float16_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu, mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | mantissa << 13);
  if (exponent == 0) return (sign ? -1.0f : 1.0f) * std::ldexp(static_cast<float>(mantissa), -24);
  return std::bit_cast<float>(sign | (exponent + 112) << 23 | mantissa << 13);
}

// One stored float element of a kind classify() accepted, widened to double.
double decode_float(const std::byte* at, H5Type kind, bool big_endian) {
  switch (kind) {
    case H5Type::float16: return float16_to_float(static_cast<std::uint16_t>(load(at, 2, big_endian)));
    case H5Type::bfloat16: return bfloat16_to_float(static_cast<std::uint16_t>(load(at, 2, big_endian)));
    case H5Type::float32: return std::bit_cast<float>(static_cast<std::uint32_t>(load(at, 4, big_endian)));
    case H5Type::float64: return std::bit_cast<double>(load(at, 8, big_endian));
    default: return 0;
  }
}

// ---- variable-length strings --------------------------------------------------------------------

// A variable-length string is stored as (length, global heap collection address, object index);
// the characters live in that collection. HDF5 1.10.8 reads them with neither the index nor the
// object's size checked, so Strata asks HDF5 only for these raw references, by converting the
// attribute to an opaque type through a conversion function of its own, and reads the heap
// from the file image itself.
constexpr const char* kReferenceTag = "strata: variable-length string reference";
constexpr std::size_t kReferenceSize = 16;  // 4 + an address of up to 8 bytes + 4

// Where capture_references puts each element's raw bytes; set only while
// read_variable_strings runs, under the HDF5 mutex.
std::vector<std::string>* g_captured_references = nullptr;

herr_t capture_references(hid_t source, hid_t destination, H5T_cdata_t* cdata, std::size_t count, std::size_t stride,
                          std::size_t, void* buffer, void*, hid_t) {
  switch (cdata->command) {
    case H5T_CONV_INIT: {  // accept only variable-length strings to Strata's tagged opaque type
      cdata->need_bkg = H5T_BKG_NO;
      if (H5Tget_class(destination) != H5T_OPAQUE || H5Tis_variable_str(source) <= 0) return -1;
      char* tag = H5Tget_tag(destination);
      const bool ours = tag && std::strcmp(tag, kReferenceTag) == 0;
      if (tag) H5free_memory(tag);
      return ours ? 0 : -1;
    }
    case H5T_CONV_CONV: {
      const std::size_t size = H5Tget_size(source);
      if (!g_captured_references || size == 0 || size > kReferenceSize) return -1;
      const auto* bytes = static_cast<const char*>(buffer);
      try {  // an exception must not cross HDF5's C frames
        for (std::size_t i = 0; i < count; ++i)
          g_captured_references->emplace_back(bytes + i * (stride ? stride : size), size);
      } catch (...) {
        return -1;
      }
      return 0;
    }
    case H5T_CONV_FREE: return 0;
  }
  return -1;
}

Id reference_type(const std::string& file) {
  Id type = make_id(H5Tcreate(H5T_OPAQUE, kReferenceSize), H5Tclose, file, "make the reference type");
  checked(H5Tset_tag(type.get(), kReferenceTag), file, "make the reference type");
  return type;
}

// Registers capture_references once (again after a program's H5close, which forgets it).
void register_reference_capture(const std::string& file) {
  Id string = make_id(H5Tcopy(H5T_C_S1), H5Tclose, file, "make a string type");
  checked(H5Tset_size(string.get(), H5T_VARIABLE), file, "make a string type");
  Id reference = reference_type(file);
  H5T_cdata_t* cdata = nullptr;
  if (H5Tfind(string.get(), reference.get(), &cdata) == capture_references) return;
  H5Eclear2(H5E_DEFAULT);
  checked(H5Tregister(H5T_PERS_SOFT, "strata_vl_reference", string.get(), reference.get(), capture_references), file,
          "register Strata's variable-length string reader");
}

// The characters of one variable-length string: object `index` of the global heap collection at
// `address`, which must hold exactly `length` bytes. Everything is bounds-checked against the
// image; nullopt when the reference does not lead to such an object.
std::optional<std::string> heap_string(std::span<const std::byte> image, std::uint64_t address, std::uint64_t index,
                                       std::uint64_t length, std::size_t sizeof_size) {
  const std::uint64_t header = align8(8 + sizeof_size);  // "GCOL", version, 3 reserved, collection size
  if (address > image.size() || image.size() - address < header) return std::nullopt;
  const std::byte* collection = image.data() + address;
  if (std::memcmp(collection, "GCOL", 4) != 0 || collection[4] != std::byte{1}) return std::nullopt;
  const std::uint64_t size = read_little_endian(collection + 8, sizeof_size);
  if (size < header || size > image.size() - address) return std::nullopt;
  const std::uint64_t object_header = align8(8 + sizeof_size);  // index, references, reserved, size
  for (std::uint64_t at = header; size - at >= object_header;) {
    const std::uint64_t object_index = read_little_endian(collection + at, 2);
    const std::uint64_t object_size = read_little_endian(collection + at + 8, sizeof_size);
    if (object_index == index && index != 0) {
      if (object_size != length || object_size > size - at - object_header) return std::nullopt;
      const auto* text = reinterpret_cast<const char*>(collection + at + object_header);
      return std::string(text, std::find(text, text + length, '\0'));  // HDF5 hands C strings to readers
    }
    // Index 0 is the free space, whose size includes its header and is not padded.
    const std::uint64_t step = object_index == 0 ? object_size : object_header + align8(object_size);
    if (step == 0 || step > size - at || object_size > size) return std::nullopt;
    at += step;
  }
  return std::nullopt;
}

std::vector<std::string> read_variable_strings(hid_t attribute, std::size_t count, const FileImage& image,
                                               const std::string& file, const std::string& what) {
  const auto [sizeof_addr, sizeof_size, base] = file_layout(image.file, file);
  register_reference_capture(file);
  Id reference = reference_type(file);
  std::vector<std::string> raw;
  std::vector<unsigned char> buffer(count * kReferenceSize);
  struct Capture {
    explicit Capture(std::vector<std::string>* to) { g_captured_references = to; }
    ~Capture() { g_captured_references = nullptr; }
  } capture(&raw);
  checked(H5Aread(attribute, reference.get(), buffer.data()), file, concat("read ", what));
  if (raw.empty()) return std::vector<std::string>(count);  // an attribute created but never written
  if (raw.size() != count || raw[0].size() != 8 + sizeof_addr) {
    throw IOError(concat("'", file, "': ", what, " holds references of an unexpected layout"));
  }
  std::vector<std::string> values;
  for (const auto& element : raw) {
    const auto* at = reinterpret_cast<const std::byte*>(element.data());
    const std::uint64_t length = read_little_endian(at, 4);
    const std::uint64_t address = read_little_endian(at + 4, sizeof_addr);
    const std::uint64_t index = read_little_endian(at + 4 + sizeof_addr, 4);
    if (length == 0) {
      values.emplace_back();
      continue;
    }
    const auto text = address > std::numeric_limits<std::uint64_t>::max() - base
                          ? std::nullopt
                          : heap_string(image.bytes, base + address, index, length, sizeof_size);
    if (!text) {
      throw IOError(concat("'", file, "': ", what, " refers to a string the file does not hold (", length,
                           " bytes at heap object ", index, " of address ", address, ")"));
    }
    values.push_back(*text);
  }
  return values;
}

// ---- attribute messages --------------------------------------------------------------------------

// HDF5 1.10.8 decodes an attribute message (name, datatype, dataspace, then the data, copied with
// memcpy) without checking the parts against the message's size, so a damaged one makes it read
// past the object header (found by this file's byte-flip test under AddressSanitizer). Before
// any attribute of an object is touched, Strata walks the object's header in the file image and
// checks that every attribute message holds what it declares. Attributes kept elsewhere (dense
// storage in a fractal heap, shared messages) are refused: Keras's files never use them.

// Whether a datatype message of `size` bytes holds the properties its class reads. Classes an
// attribute Strata reads never has (compound, reference, enum, array) are refused: their
// decoders read further structures HDF5 does not bound either.
bool datatype_fits(const std::byte* at, std::uint64_t size, int depth) {
  if (size < 8 || depth > 4) return false;
  switch (static_cast<unsigned>(at[0]) & 0x0f) {
    case 0: return size >= 12;  // fixed-point: bit offset, precision
    case 1: return size >= 20;  // floating-point: offset, precision, field positions, bias
    case 2: return size >= 10;  // time: precision
    case 3: return true;        // string: no properties
    case 4: return size >= 12;  // bitfield: bit offset, precision
    case 5: return size >= 8 + static_cast<std::uint64_t>(at[1]);  // opaque: its tag
    case 9: return datatype_fits(at + 8, size - 8, depth + 1);     // variable-length: its base type
    default: return false;
  }
}

// The number of elements a dataspace message declares, if it holds its dimensions.
std::optional<std::uint64_t> dataspace_points(const std::byte* at, std::uint64_t size, std::size_t sizeof_size) {
  if (size < 4) return std::nullopt;
  const auto version = static_cast<unsigned>(at[0]), rank = static_cast<unsigned>(at[1]),
             flags = static_cast<unsigned>(at[2]);
  if ((version != 1 && version != 2) || rank > H5S_MAX_RANK) return std::nullopt;
  const std::uint64_t header = version == 1 ? 8 : 4;
  const std::uint64_t needed = header + rank * sizeof_size * ((flags & 1) ? 2 : 1) +
                               ((version == 1 && (flags & 2)) ? rank * 4 : 0);  // max dims, v1 permutation
  if (needed > size) return std::nullopt;
  if (version == 2 && at[3] == std::byte{2}) return 0;  // null dataspace
  if (version == 2 && at[3] == std::byte{0}) return 1;  // scalar
  std::uint64_t points = 1;
  for (unsigned d = 0; d < rank; ++d) {
    const std::uint64_t dim = read_little_endian(at + header + d * sizeof_size, sizeof_size);
    if (dim != 0 && points > std::numeric_limits<std::uint64_t>::max() / dim) return std::nullopt;
    points *= dim;
  }
  return points;
}

// What is wrong with an attribute message of `size` bytes, or nullptr.
const char* attribute_message_problem(const std::byte* at, std::uint64_t size, std::size_t sizeof_addr,
                                      std::size_t sizeof_size) {
  if (size < 8) return "it is too short";
  const auto version = static_cast<unsigned>(at[0]);
  if (version < 1 || version > 3) return "its version is unknown";
  if (version >= 2 && (static_cast<unsigned>(at[1]) & 3)) return "its datatype or dataspace is shared";
  const std::uint64_t name = read_little_endian(at + 2, 2), type = read_little_endian(at + 4, 2),
                      space = read_little_endian(at + 6, 2);
  if (name == 0) return "its name is empty";
  const auto padded = [&](std::uint64_t part) { return version == 1 ? align8(part) : part; };
  const std::uint64_t type_at = (version == 3 ? 9 : 8) + padded(name);
  const std::uint64_t space_at = type_at + padded(type);
  const std::uint64_t data_at = space_at + padded(space);
  if (data_at > size || type_at + type > size || space_at + space > size) return "its parts run past it";
  if (!datatype_fits(at + type_at, type, 0)) return "its datatype is damaged or of a kind Strata does not read";
  const auto points = dataspace_points(at + space_at, space, sizeof_size);
  if (!points) return "its dataspace is damaged";
  const std::uint64_t element = read_little_endian(at + type_at + 4, 4);
  // HDF5 copies a variable-length element's disk form, 4 + address + 4 bytes, whatever the
  // message's size says.
  if ((static_cast<unsigned>(at[type_at]) & 0x0f) == 9 && element != 8 + sizeof_addr) {
    return "its variable-length datatype has the wrong size";
  }
  if (element != 0 && *points > (size - data_at) / element) return "its data runs past it";
  return nullptr;
}

// Checks every attribute message in the header of `object` (see above).
void check_attribute_messages(hid_t object, const FileImage& image, const std::string& file, const std::string& where) {
  const auto [sizeof_addr, sizeof_size, base] = file_layout(image.file, file);
  H5O_info_t info{};
  checked(H5Oget_info2(object, &info, H5O_INFO_BASIC), file, concat("read the header of ", where));
  const std::span<const std::byte> bytes = image.bytes;
  const auto damaged = [&](const std::string& why) {
    return IOError(concat("'", file, "': the object header of ", where, " is damaged (", why, ")"));
  };
  if (info.addr > bytes.size() || bytes.size() - info.addr < 16 || base > bytes.size() - info.addr - 16) {
    throw damaged("it lies outside the file");
  }
  const std::uint64_t start = base + info.addr;
  // A header is a first chunk of messages and any number of continuation chunks.
  const bool v2 = std::memcmp(bytes.data() + start, "OHDR", 4) == 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks;  // [begin, end) of messages
  std::uint64_t message_header = 8;
  if (v2) {
    const auto flags = static_cast<unsigned>(bytes[start + 5]);
    std::uint64_t at = start + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const std::size_t width = std::size_t{1} << (flags & 3);
    if (at + width > bytes.size()) throw damaged("its first chunk lies outside the file");
    const std::uint64_t length = read_little_endian(bytes.data() + at, width);
    at += width;
    if (length > bytes.size() - at) throw damaged("its first chunk lies outside the file");
    chunks.emplace_back(at, at + length);
    message_header = (flags & 0x04) ? 6 : 4;
  } else {
    const std::uint64_t length = read_little_endian(bytes.data() + start + 8, 4);
    if (length > bytes.size() - start - 16) throw damaged("its first chunk lies outside the file");
    chunks.emplace_back(start + 16, start + 16 + length);
  }
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    if (c > 1000) throw damaged("it has too many continuation chunks");
    for (std::uint64_t at = chunks[c].first, end = chunks[c].second; end - at >= message_header;) {
      const std::byte* message = bytes.data() + at;
      const std::uint64_t type = v2 ? read_little_endian(message, 1) : read_little_endian(message, 2);
      const std::uint64_t size = read_little_endian(message + (v2 ? 1 : 2), 2);
      const auto flags = static_cast<unsigned>(message[v2 ? 3 : 4]);
      const std::byte* body = message + message_header;
      if (size > end - at - message_header) throw damaged("a message runs past its chunk");
      if (type == 0x000C) {  // attribute
        if (flags & 0x02) {
          throw ValueError(
              concat("'", file, "': ", where, " has a shared attribute message; Strata does not read those"));
        }
        if (const char* problem = attribute_message_problem(body, size, sizeof_addr, sizeof_size)) {
          throw damaged(concat("an attribute message: ", problem));
        }
      } else if (type == 0x0015 && size >= 2 + sizeof_addr) {  // attribute info: dense storage?
        const std::uint64_t heap_at = 2 + ((static_cast<unsigned>(body[1]) & 1) ? 2 : 0);
        if (heap_at + sizeof_addr <= size) {
          const std::uint64_t heap = read_little_endian(body + heap_at, sizeof_addr);
          const std::uint64_t undefined =
              sizeof_addr == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * sizeof_addr)) - 1;
          if (heap != undefined) {
            throw ValueError(concat("'", file, "': ", where,
                                    " keeps its attributes in dense storage; Strata reads attributes kept in the "
                                    "object header only"));
          }
        }
      } else if (type == 0x0010 && size >= sizeof_addr + sizeof_size) {  // continuation
        const std::uint64_t offset = read_little_endian(body, sizeof_addr);
        const std::uint64_t length = read_little_endian(body + sizeof_addr, sizeof_size);
        if (offset > bytes.size() || base > bytes.size() - offset || length > bytes.size() - base - offset) {
          throw damaged("a continuation chunk lies outside the file");
        }
        const std::uint64_t chunk = base + offset;
        if (v2) {  // "OCHK", the messages, a checksum
          if (length < 8 || std::memcmp(bytes.data() + chunk, "OCHK", 4) != 0) throw damaged("a continuation chunk");
          chunks.emplace_back(chunk + 4, chunk + length - 4);
        } else {
          chunks.emplace_back(chunk, chunk + length);
        }
      }
      at += message_header + size;
    }
  }
}

// ---- attributes --------------------------------------------------------------------------------

std::optional<Id> open_attribute(hid_t object, const std::string& name, const FileImage& image, const std::string& file,
                                 const std::string& where) {
  if (name.empty() || name.find('\0') != std::string::npos) {
    throw ValueError(concat("'", file, "': invalid attribute name on ", where));
  }
  check_attribute_messages(object, image, file, where);
  const htri_t exists =
      checked(H5Aexists(object, name.c_str()), file, concat("look up attribute '", name, "' of ", where));
  if (exists == 0) return std::nullopt;
  return make_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, file,
                 concat("open attribute '", name, "' of ", where));
}

// Reads `count` strings of string type `type` from an attribute.
std::vector<std::string> read_strings(hid_t attribute, hid_t type, std::size_t count, const FileImage& image,
                                      const std::string& file, const std::string& what) {
  std::vector<std::string> values;
  const htri_t variable = checked(H5Tis_variable_str(type), file, concat("read the type of ", what));
  if (variable) return read_variable_strings(attribute, count, image, file, what);
  Id memory = make_id(H5Tcopy(H5T_C_S1), H5Tclose, file, "make a string type");
  const H5T_cset_t cset = H5Tget_cset(type);
  if (cset >= 0) H5Tset_cset(memory.get(), cset);
  const std::size_t size = H5Tget_size(type);
  if (size == 0) hdf5_failed(file, concat("read the type of ", what));
  if (size > kMaxAttributeBytes / std::max<std::size_t>(count, 1)) {
    throw ValueError(concat("'", file, "': ", what, " declares ", count, " strings of ", size,
                            " bytes, more than Strata reads in an attribute"));
  }
  checked(H5Tset_size(memory.get(), size), file, "make a string type");
  checked(H5Tset_strpad(memory.get(), H5T_STR_NULLPAD), file, "make a string type");
  std::vector<char> buffer(size * count);
  if (count > 0) checked(H5Aread(attribute, memory.get(), buffer.data()), file, concat("read ", what));
  for (std::size_t i = 0; i < count; ++i) {
    const char* begin = buffer.data() + i * size;
    values.emplace_back(begin, std::find(begin, begin + size, '\0'));
  }
  return values;
}

bool tagged_bfloat16(hid_t dataset, const FileImage& image, const std::string& file, const std::string& path) {
  auto attribute = open_attribute(dataset, "dtype", image, file, concat("'", path, "'"));
  if (!attribute) return false;
  Id type = make_id(H5Aget_type(attribute->get()), H5Tclose, file, concat("read attribute 'dtype' of '", path, "'"));
  Id space = make_id(H5Aget_space(attribute->get()), H5Sclose, file, concat("read attribute 'dtype' of '", path, "'"));
  if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_type(space.get()) != H5S_SCALAR) return false;
  return read_strings(attribute->get(), type.get(), 1, image, file, concat("attribute 'dtype' of '", path, "'"))[0] ==
         "bfloat16";
}

// Unique names for in-memory files: HDF5 treats two open core-driver files of the same name as
// one file.
std::string unique_memory_name(const char* kind) {
  static std::atomic<std::uint64_t> counter{0};
  return concat("strata-", kind, "-", ::getpid(), "-", counter.fetch_add(1));
}

// HDF5 reads the file image in place, as HL's H5LTopen_file_image does with DONT_COPY, but
// opened here with H5Fopen so a failure leaves HDF5's error stack to report (H5LT clears it).
// Every "copy" HDF5 asks for (into the access list, its copies, the driver) is the image
// itself; the image is read-only, so HDF5 never resizes or frees it.
void* image_malloc(std::size_t size, H5FD_file_image_op_t, void* view) {
  auto* image = static_cast<H5ImageView*>(view);
  return size == image->size ? image->data : nullptr;
}
void* image_memcpy(void* to, const void* from, std::size_t, H5FD_file_image_op_t, void*) {
  return to == from ? to : nullptr;
}
void* image_realloc(void*, std::size_t, H5FD_file_image_op_t, void*) { return nullptr; }
herr_t image_free(void*, H5FD_file_image_op_t, void*) { return 0; }
// The view belongs to the H5Reader and outlives the file: HDF5's copies of it are the same.
void* udata_copy(void* view) { return view; }
herr_t udata_free(void*) { return 0; }

}  // namespace

std::string_view h5_type_name(H5Type type) {
  switch (type) {
    case H5Type::float16: return "float16";
    case H5Type::bfloat16: return "bfloat16";
    case H5Type::float32: return "float32";
    case H5Type::float64: return "float64";
    case H5Type::int32: return "int32";
    case H5Type::int64: return "int64";
    case H5Type::other: break;
  }
  return "other";
}

// ---- H5Writer ------------------------------------------------------------------------------------

H5Writer::H5Writer(std::string display_name) : name_(std::move(display_name)) {
  Session session;
  Id access = make_id(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, name_, "make a file access list");
  // Grow the in-memory file 1 MiB at a time; nothing is written to disk (no backing store).
  checked(H5Pset_fapl_core(access.get(), std::size_t{1} << 20, 0), name_, "select the in-memory driver");
  file_ = checked(H5Fcreate(unique_memory_name("writer").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), name_,
                  "create an in-memory file");
}

H5Writer::~H5Writer() {
  if (file_ < 0) return;
  Session session;
  H5Fclose(file_);
}

void H5Writer::check_open() const {
  if (file_ < 0) throw StateError(concat("'", name_, "': the HDF5 writer has already finished its file"));
}

namespace {

// A link creation list that creates missing groups above the new object.
Id intermediate_groups(const std::string& file) {
  Id list = make_id(H5Pcreate(H5P_LINK_CREATE), H5Pclose, file, "make a link creation list");
  checked(H5Pset_create_intermediate_group(list.get(), 1), file, "make a link creation list");
  return list;
}

// Refuses writing a dataset where an object already is (h5py refuses too).
void check_absent(hid_t file_id, const Path& path, const std::string& file, const std::string& original) {
  if (path.parts.empty()) throw ValueError(concat("'", file, "': cannot write a dataset at the root group"));
  const Walk found = walk(file_id, path, file);
  if (found.object) throw ValueError(concat("'", file, "': '", original, "' already exists"));
  if (found.blocked) throw ValueError(concat("'", file, "': cannot create '", original, "': ", found.missing));
}

Id create_dataset(hid_t file_id, const std::string& dataset_path, const std::vector<std::int64_t>& shape,
                  hid_t file_type, const std::string& file) {
  const Path path = parse_path(dataset_path, file);
  if (shape.size() > H5S_MAX_RANK) {
    throw ValueError(concat("'", file, "': dataset '", dataset_path, "' has rank ", shape.size(), ", more than HDF5's ",
                            H5S_MAX_RANK));
  }
  check_absent(file_id, path, file, dataset_path);
  Id space;
  if (shape.empty()) {
    space = make_id(H5Screate(H5S_SCALAR), H5Sclose, file, "make a dataspace");
  } else {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    space = make_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, file,
                    concat("make the dataspace of '", dataset_path, "'"));
  }
  Id links = intermediate_groups(file);
  return make_id(H5Dcreate2(file_id, path.text.c_str(), file_type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose, file, concat("create dataset '", dataset_path, "'"));
}

// Opens the object an attribute goes on (it must exist) and removes an attribute of that name.
Id attribute_target(hid_t file_id, const std::string& object_path, const std::string& name, const std::string& file) {
  if (name.empty() || name.find('\0') != std::string::npos) {
    throw ValueError(concat("'", file, "': invalid attribute name on '", object_path, "'"));
  }
  Walk found = open_existing(file_id, object_path, file, "object");
  const htri_t exists = checked(H5Aexists(found.object.get(), name.c_str()), file,
                                concat("look up attribute '", name, "' of '", object_path, "'"));
  if (exists > 0) {
    checked(H5Adelete(found.object.get(), name.c_str()), file,
            concat("replace attribute '", name, "' of '", object_path, "'"));
  }
  return std::move(found.object);
}

}  // namespace

void H5Writer::create_group(const std::string& path) {
  Session session;
  check_open();
  const Path parsed = parse_path(path, name_);
  const Walk found = walk(file_, parsed, name_);
  if (found.object) {
    if (found.type != H5I_GROUP) throw ValueError(concat("'", name_, "': '", path, "' exists and is not a group"));
    return;
  }
  if (found.blocked) throw ValueError(concat("'", name_, "': cannot create group '", path, "': ", found.missing));
  Id links = intermediate_groups(name_);
  make_id(H5Gcreate2(file_, parsed.text.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose, name_,
          concat("create group '", path, "'"));
}

void H5Writer::write_string_attribute(const std::string& object_path, const std::string& name,
                                      const std::string& value) {
  Session session;
  check_open();
  if (value.find('\0') != std::string::npos) {
    throw ValueError(concat("'", name_, "': the value of attribute '", name, "' holds a NUL byte"));
  }
  Id object = attribute_target(file_, object_path, name, name_);
  Id type = make_id(H5Tcopy(H5T_C_S1), H5Tclose, name_, "make a string type");
  checked(H5Tset_size(type.get(), H5T_VARIABLE), name_, "make a string type");
  checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), name_, "make a string type");
  Id space = make_id(H5Screate(H5S_SCALAR), H5Sclose, name_, "make a dataspace");
  const std::string what = concat("attribute '", name, "' of '", object_path, "'");
  Id attribute = make_id(H5Acreate2(object.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose, name_, concat("create ", what));
  const char* text = value.c_str();
  checked(H5Awrite(attribute.get(), type.get(), &text), name_, concat("write ", what));
}

void H5Writer::write_string_list_attribute(const std::string& object_path, const std::string& name,
                                           const std::vector<std::string>& values) {
  Session session;
  check_open();
  std::size_t width = 1;  // numpy's dtype for all-empty byte strings is S1
  for (const auto& value : values) {
    if (value.find('\0') != std::string::npos) {
      throw ValueError(concat("'", name_, "': a value of attribute '", name, "' holds a NUL byte"));
    }
    width = std::max(width, value.size());
  }
  Id object = attribute_target(file_, object_path, name, name_);
  const auto count = static_cast<hsize_t>(values.size());
  Id space = make_id(H5Screate_simple(1, &count, nullptr), H5Sclose, name_, "make a dataspace");
  const std::string what = concat("attribute '", name, "' of '", object_path, "'");
  if (values.empty()) {
    // h5py writes `[]` as numpy does: an empty float64 array.
    make_id(H5Acreate2(object.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
            name_, concat("create ", what));
    return;
  }
  Id type = make_id(H5Tcopy(H5T_C_S1), H5Tclose, name_, "make a string type");
  checked(H5Tset_size(type.get(), width), name_, "make a string type");
  checked(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), name_, "make a string type");
  std::vector<char> buffer(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(buffer.data() + i * width, values[i].data(), values[i].size());
  Id attribute = make_id(H5Acreate2(object.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose, name_, concat("create ", what));
  checked(H5Awrite(attribute.get(), type.get(), buffer.data()), name_, concat("write ", what));
}

void H5Writer::write_float32(const std::string& dataset_path, const std::vector<std::int64_t>& shape,
                             std::span<const float> data) {
  Session session;
  check_open();
  const auto count = element_count(shape);
  if (!count || *count != data.size()) {
    throw ValueError(concat("'", name_, "': dataset '", dataset_path, "' of shape ", shape_text(shape), " was given ",
                            data.size(), " values"));
  }
  Id dataset = create_dataset(file_, dataset_path, shape, H5T_IEEE_F32LE, name_);
  if (!data.empty()) {
    checked(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), name_,
            concat("write dataset '", dataset_path, "'"));
  }
}

void H5Writer::write_int64_scalar(const std::string& dataset_path, std::int64_t value) {
  Session session;
  check_open();
  Id dataset = create_dataset(file_, dataset_path, {}, H5T_STD_I64LE, name_);
  checked(H5Dwrite(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), name_,
          concat("write dataset '", dataset_path, "'"));
}

void H5Writer::write_int32_scalar(const std::string& dataset_path, std::int32_t value) {
  Session session;
  check_open();
  Id dataset = create_dataset(file_, dataset_path, {}, H5T_STD_I32LE, name_);
  checked(H5Dwrite(dataset.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), name_,
          concat("write dataset '", dataset_path, "'"));
}

std::vector<std::byte> H5Writer::finish() {
  Session session;
  check_open();
  checked(H5Fflush(file_, H5F_SCOPE_GLOBAL), name_, "flush the in-memory file");
  const ssize_t size = checked(H5Fget_file_image(file_, nullptr, 0), name_, "measure the in-memory file");
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  checked(H5Fget_file_image(file_, bytes.data(), bytes.size()), name_, "copy the in-memory file");
  const hid_t file = std::exchange(file_, -1);
  checked(H5Fclose(file), name_, "close the in-memory file");
  return bytes;
}

// ---- H5Reader ------------------------------------------------------------------------------------

H5Reader::H5Reader(std::span<const std::byte> bytes, std::string display_name)
    : name_(std::move(display_name)), image_(bytes.begin(), bytes.end()) {
  open();
}

H5Reader::H5Reader(std::vector<std::byte>&& bytes, std::string display_name)
    : name_(std::move(display_name)), image_(std::move(bytes)) {
  open();
}

H5Reader::H5Reader(H5Reader&& other) noexcept
    : name_(std::move(other.name_)),
      image_(std::move(other.image_)),  // the heap buffer HDF5 reads moves with it
      view_(std::move(other.view_)),
      file_(std::exchange(other.file_, -1)) {}

H5Reader::~H5Reader() {
  if (file_ < 0) return;
  Session session;
  H5Fclose(file_);
}

void H5Reader::open() {
  if (image_.empty()) throw IOError(concat("'", name_, "': not an HDF5 file (it is empty)"));
  Session session;
  view_ = std::make_unique<H5ImageView>(H5ImageView{image_.data(), image_.size()});
  Id access = make_id(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, name_, "make a file access list");
  checked(H5Pset_fapl_core(access.get(), std::size_t{1} << 20, 0), name_, "select the in-memory driver");
  H5FD_file_image_callbacks_t callbacks = {image_malloc, image_memcpy, image_realloc, image_free,
                                           udata_copy,   udata_free,   view_.get()};
  checked(H5Pset_file_image_callbacks(access.get(), &callbacks), name_, "hand the file image to HDF5");
  checked(H5Pset_file_image(access.get(), view_->data, view_->size), name_, "hand the file image to HDF5");
  file_ = H5Fopen(unique_memory_name("reader").c_str(), H5F_ACC_RDONLY, access.get());
  if (file_ < 0) throw IOError(concat("'", name_, "': not a readable HDF5 file: ", hdf5_error_stack()));
}

bool H5Reader::has_group(const std::string& path) const {
  Session session;
  const Walk found = walk(file_, parse_path(path, name_), name_);
  return found.object && found.type == H5I_GROUP;
}

bool H5Reader::has_dataset(const std::string& path) const {
  Session session;
  const Walk found = walk(file_, parse_path(path, name_), name_);
  return found.object && found.type == H5I_DATASET;
}

std::vector<std::string> H5Reader::children(const std::string& group_path) const {
  Session session;
  Walk found = open_existing(file_, group_path, name_, "group");
  if (found.type != H5I_GROUP) throw ValueError(concat("'", name_, "': '", group_path, "' is not a group"));
  const std::string what = concat("the members of ", describe_group(parse_path(group_path, name_).text));
  H5G_info_t info{};
  checked(H5Gget_info(found.object.get(), &info), name_, concat("read ", what));
  if (info.nlinks > kMaxLinksPerGroup) {
    throw ValueError(concat("'", name_, "': ", describe_group(group_path), " has ", info.nlinks,
                            " members, more than Strata reads (", kMaxLinksPerGroup, ")"));
  }
  // h5py lists a group in creation order when the group indexes it, else in name order.
  Id plist = make_id(H5Gget_create_plist(found.object.get()), H5Pclose, name_, concat("read ", what));
  unsigned order_flags = 0;
  checked(H5Pget_link_creation_order(plist.get(), &order_flags), name_, concat("read ", what));
  const H5_index_t index = (order_flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;

  struct Collect {
    std::vector<std::string> names;
    std::exception_ptr error;
  } collect;
  const herr_t status = H5Literate(
      found.object.get(), index, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        auto* out = static_cast<Collect*>(data);
        if (out->names.size() >= kMaxLinksPerGroup) return 1;  // stop; reported below
        try {
          out->names.emplace_back(name);
        } catch (...) {  // an exception must not cross HDF5's C frames
          out->error = std::current_exception();
          return -1;
        }
        return 0;
      },
      &collect);
  if (collect.error) std::rethrow_exception(collect.error);
  if (status < 0) hdf5_failed(name_, concat("list ", what));
  if (collect.names.size() >= kMaxLinksPerGroup) {
    throw ValueError(concat("'", name_, "': ", describe_group(group_path), " has more members than Strata reads (",
                            kMaxLinksPerGroup, ")"));
  }
  for (const auto& name : collect.names) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
      throw ValueError(concat("'", name_, "': ", describe_group(group_path), " has a member named '", name,
                              "', which no path can name"));
    }
  }
  return std::move(collect.names);
}

std::vector<std::string> H5Reader::children_numeric(const std::string& group_path) const {
  Session session;
  std::vector<std::pair<std::uint64_t, std::string>> numbered;
  for (auto& name : children(group_path)) {
    const bool decimal = name.size() <= 18 &&
                         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                         (name.size() == 1 || name[0] != '0');
    if (!decimal) {
      throw ValueError(concat("'", name_, "': ", describe_group(group_path), " should hold members named 0, 1, 2, ...",
                              " but holds '", name, "'"));
    }
    numbered.emplace_back(std::stoull(name), std::move(name));
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<std::string> names;
  for (auto& entry : numbered) names.push_back(std::move(entry.second));
  return names;
}

std::optional<std::string> H5Reader::string_attribute(const std::string& object_path, const std::string& name) const {
  Session session;
  Walk found = open_existing(file_, object_path, name_, "object");
  const std::string what = concat("attribute '", name, "' of '", object_path, "'");
  auto attribute =
      open_attribute(found.object.get(), name, FileImage{file_, image_}, name_, concat("'", object_path, "'"));
  if (!attribute) return std::nullopt;
  Id type = make_id(H5Aget_type(attribute->get()), H5Tclose, name_, concat("read the type of ", what));
  Id space = make_id(H5Aget_space(attribute->get()), H5Sclose, name_, concat("read the dataspace of ", what));
  if (H5Tget_class(type.get()) != H5T_STRING) throw ValueError(concat("'", name_, "': ", what, " is not a string"));
  if (H5Sget_simple_extent_type(space.get()) != H5S_SCALAR) {
    throw ValueError(concat("'", name_, "': ", what, " is not a single string (it is an array)"));
  }
  return read_strings(attribute->get(), type.get(), 1, FileImage{file_, image_}, name_, what)[0];
}

std::optional<std::vector<std::string>> H5Reader::string_list_attribute(const std::string& object_path,
                                                                        const std::string& name) const {
  Session session;
  Walk found = open_existing(file_, object_path, name_, "object");
  const std::string what = concat("attribute '", name, "' of '", object_path, "'");
  auto attribute =
      open_attribute(found.object.get(), name, FileImage{file_, image_}, name_, concat("'", object_path, "'"));
  if (!attribute) return std::nullopt;
  Id type = make_id(H5Aget_type(attribute->get()), H5Tclose, name_, concat("read the type of ", what));
  Id space = make_id(H5Aget_space(attribute->get()), H5Sclose, name_, concat("read the dataspace of ", what));
  const H5S_class_t kind = H5Sget_simple_extent_type(space.get());
  if (kind == H5S_NULL) return std::vector<std::string>{};
  if (kind != H5S_SIMPLE || H5Sget_simple_extent_ndims(space.get()) != 1) {
    throw ValueError(concat("'", name_, "': ", what, " is not a 1-D array of strings"));
  }
  hsize_t count = 0;
  checked(H5Sget_simple_extent_dims(space.get(), &count, nullptr), name_, concat("read the dataspace of ", what));
  if (count == 0) return std::vector<std::string>{};
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw ValueError(concat("'", name_, "': ", what, " is not an array of strings"));
  }
  if (count > kMaxStringListCount) {
    throw ValueError(concat("'", name_, "': ", what, " holds ", count, " strings, more than Strata reads (",
                            kMaxStringListCount, ")"));
  }
  return read_strings(attribute->get(), type.get(), static_cast<std::size_t>(count), FileImage{file_, image_}, name_,
                      what);
}

H5DatasetInfo H5Reader::dataset_info(const std::string& path) const {
  Session session;
  Id dataset = open_dataset(file_, path, name_);
  const std::string what = concat("dataset '", path, "'");
  Id space = make_id(H5Dget_space(dataset.get()), H5Sclose, name_, concat("read the dataspace of ", what));
  Id type = make_id(H5Dget_type(dataset.get()), H5Tclose, name_, concat("read the type of ", what));
  H5DatasetInfo info{space_shape(space.get(), name_, what),
                     classify(dataset.get(), type.get(), FileImage{file_, image_}, name_, path)};
  check_storage(dataset.get(), name_, path, info.shape, H5Tget_size(type.get()));
  return info;
}

std::vector<float> H5Reader::read_float(const std::string& path, const std::vector<std::int64_t>& expected) const {
  Session session;
  Id dataset = open_dataset(file_, path, name_);
  const std::string what = concat("dataset '", path, "'");
  Id space = make_id(H5Dget_space(dataset.get()), H5Sclose, name_, concat("read the dataspace of ", what));
  Id type = make_id(H5Dget_type(dataset.get()), H5Tclose, name_, concat("read the type of ", what));
  const auto shape = space_shape(space.get(), name_, what);
  if (shape != expected) {
    throw ValueError(
        concat("'", name_, "': ", what, " has shape ", shape_text(shape), ", expected ", shape_text(expected)));
  }
  const H5Type kind = classify(dataset.get(), type.get(), FileImage{file_, image_}, name_, path);
  if (kind != H5Type::float16 && kind != H5Type::bfloat16 && kind != H5Type::float32 && kind != H5Type::float64) {
    throw ValueError(concat("'", name_, "': ", what, " holds ",
                            kind == H5Type::other ? std::string("values of a type Strata does not read")
                                                  : concat(h5_type_name(kind), " values"),
                            ", expected floats (float16, bfloat16, float32 or float64)"));
  }
  const std::size_t element_size = H5Tget_size(type.get());
  const Storage storage = check_storage(dataset.get(), name_, path, shape, element_size);
  const auto count = element_count(shape);
  if (!count || *count > std::numeric_limits<std::size_t>::max() / 8) {
    throw ValueError(concat("'", name_, "': ", what, " of shape ", shape_text(shape), " is too large to read"));
  }
  check_storage_size(dataset.get(), storage, *count, element_size, name_, path);
  check_chunks(dataset.get(), storage, shape, element_size, FileImage{file_, image_}, name_, path);

  const auto n = static_cast<std::size_t>(*count);
  std::vector<float> values;
  try {
    values.resize(n);
  } catch (const std::exception&) {  // std::bad_alloc, or std::length_error past max_size()
    throw ResourceExhaustedError(concat("'", name_, "': ", what, " of shape ", shape_text(shape), " needs ",
                                        *count * sizeof(float), " bytes, more than can be allocated"));
  }
  if (n == 0) return values;
  // Opaque bfloat16 bytes are the writer's memory: little-endian on every machine Keras runs on.
  const bool big_endian = H5Tget_order(type.get()) == H5T_ORDER_BE;
  if (const auto raw =
          contiguous_data(dataset.get(), storage, *count * element_size, FileImage{file_, image_}, name_, path)) {
    // float64 narrows as numpy's astype(float32) does (beyond float's range: +-inf).
    for (std::size_t i = 0; i < n; ++i) {
      values[i] = static_cast<float>(decode_float(raw->data() + i * element_size, kind, big_endian));
    }
    return values;
  }
  // Compact and chunked data, checked above, and fill values: HDF5 reads them.
  const std::string reading = concat("read ", what);
  switch (kind) {
    case H5Type::float16:
    case H5Type::float32:
      // HDF5 converts float16 exactly (every half is a float).
      checked(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name_, reading);
      break;
    case H5Type::float64: {
      // Read as double and narrow here: HDF5's own conversion clamps values beyond float's
      // range, where numpy (and Keras) give +-inf.
      std::vector<double> wide(n);
      checked(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, wide.data()), name_, reading);
      std::transform(wide.begin(), wide.end(), values.begin(), [](double v) { return static_cast<float>(v); });
      break;
    }
    case H5Type::bfloat16: {
      // Read as the stored bytes (no conversion), then decoded as above.
      std::vector<std::byte> raw(2 * n);
      checked(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), name_, reading);
      for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(decode_float(&raw[2 * i], kind, big_endian));
      break;
    }
    default: break;
  }
  return values;
}

std::int64_t H5Reader::read_int_scalar(const std::string& path) const {
  Session session;
  Id dataset = open_dataset(file_, path, name_);
  const std::string what = concat("dataset '", path, "'");
  Id space = make_id(H5Dget_space(dataset.get()), H5Sclose, name_, concat("read the dataspace of ", what));
  Id type = make_id(H5Dget_type(dataset.get()), H5Tclose, name_, concat("read the type of ", what));
  const auto shape = space_shape(space.get(), name_, what);
  if (!shape.empty()) {
    throw ValueError(concat("'", name_, "': ", what, " has shape ", shape_text(shape), ", expected a scalar"));
  }
  const H5Type kind = classify(dataset.get(), type.get(), FileImage{file_, image_}, name_, path);
  if (kind == H5Type::other) {
    throw ValueError(concat("'", name_, "': ", what, " is not an int32, int64 or float scalar"));
  }
  const std::size_t element_size = H5Tget_size(type.get());
  // A scalar is never chunked, so no filter runs on it; the other checks still apply.
  const Storage storage = check_storage(dataset.get(), name_, path, shape, element_size);
  check_storage_size(dataset.get(), storage, 1, element_size, name_, path);
  const bool big_endian = H5Tget_order(type.get()) == H5T_ORDER_BE;
  std::vector<std::byte> raw(element_size);
  if (const auto stored =
          contiguous_data(dataset.get(), storage, element_size, FileImage{file_, image_}, name_, path)) {
    std::copy(stored->begin(), stored->end(), raw.begin());
  } else {  // compact, or never written: HDF5 reads it, unconverted
    checked(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), name_,
            concat("read ", what));
  }
  if (kind == H5Type::int32) return static_cast<std::int32_t>(load(raw.data(), 4, big_endian));
  if (kind == H5Type::int64) return static_cast<std::int64_t>(load(raw.data(), 8, big_endian));
  const double value = decode_float(raw.data(), kind, big_endian);
  // 2^63 is exactly representable; every double below it in magnitude that is integral fits.
  if (!std::isfinite(value) || value != std::floor(value) || value < -9223372036854775808.0 ||
      value >= 9223372036854775808.0) {
    throw ValueError(concat("'", name_, "': ", what, " holds ", value, ", not an integer"));
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace strata::detail
