#include "strata/data/image_dataset.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>
#include <system_error>

#include "api/data/image_decode.hpp"
#include "api/saving/atomic_file.hpp"
#include "backends/host_memory.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata::data {
namespace fs = std::filesystem;
namespace {

constexpr const char* kAllowedFormats = "('.jpeg', '.jpg', '.png')";

bool is_image_name(const fs::path& path) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name.ends_with(".png") || name.ends_with(".jpg") || name.ends_with(".jpeg");
}

// The image files under `directory`, as Keras's iter_valid_files walks them: folders in sorted
// order of their path, each folder's files sorted by name. Symbolic links to folders are not
// followed (Keras's follow_links=False).
std::vector<fs::path> image_files(const fs::path& directory) {
  std::vector<std::pair<std::string, std::string>> found;  // (folder, file name)
  std::error_code error;
  fs::recursive_directory_iterator walk(directory, error), end;
  STRATA_CHECK(!error, IOError, "image_dataset_from_directory: cannot list '", directory.string(),
               "': ", error.message());
  for (; walk != end; walk.increment(error)) {
    STRATA_CHECK(!error, IOError, "image_dataset_from_directory: cannot list '", directory.string(),
                 "': ", error.message());
    if (walk->is_regular_file(error) && is_image_name(walk->path()))
      found.emplace_back(walk->path().parent_path().string(), walk->path().filename().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> files;
  for (const auto& [folder, name] : found) files.push_back(fs::path(folder) / name);
  return files;
}

std::string list_text(const std::vector<std::string>& names) {
  std::string text = "[";
  for (std::size_t i = 0; i < names.size(); ++i) text += (i ? ", '" : "'") + names[i] + "'";
  return text + "]";
}

// The files and labels of one directory, before any split, as Keras's index_directory.
struct Index {
  std::vector<fs::path> files;
  std::vector<std::int64_t> labels;
  std::vector<std::string> class_names;
};

Index index_directory(const fs::path& directory, const ImageDatasetOptions& options) {
  STRATA_CHECK(fs::is_directory(directory), IOError, "image_dataset_from_directory: '", directory.string(),
               "' is not a directory");
  Index index;
  const bool inferred = options.labels.empty() && options.label_mode != LabelMode::None;
  if (!inferred) {
    STRATA_CHECK(options.class_names.empty(), ValueError,
                 options.label_mode == LabelMode::None
                     ? "When `labels=None` (no labels), argument `class_names` cannot be specified."
                     : "When argument `labels` is specified, argument `class_names` cannot be specified (the "
                       "`class_names` will be the sorted list of labels).");
    index.files = image_files(directory);
    if (options.label_mode == LabelMode::None) return index;
    STRATA_CHECK(options.labels.size() == index.files.size(), ValueError,
                 "Expected the lengths of `labels` to match the number of files in the target directory. "
                 "len(labels) is ",
                 options.labels.size(), " while we found ", index.files.size(), " files in directory ",
                 directory.string(), ".");
    const std::set<std::int64_t> distinct(options.labels.begin(), options.labels.end());
    for (std::int64_t label : distinct) {
      STRATA_CHECK(label >= 0, ValueError,
                   "image_dataset_from_directory: labels must be class indices from 0, received ", label);
      index.class_names.push_back(std::to_string(label));
    }
    index.labels = options.labels;
    return index;
  }
  std::vector<std::string> subdirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.starts_with(".")) subdirs.push_back(name);
  }
  std::sort(subdirs.begin(), subdirs.end());
  if (!options.class_names.empty()) {
    for (const std::string& name : options.class_names)
      STRATA_CHECK(std::find(subdirs.begin(), subdirs.end(), name) != subdirs.end(), ValueError,
                   "The `class_names` passed did not match the names of the subdirectories of the target directory. "
                   "Expected: ",
                   list_text(subdirs),
                   " (or a subset of it), but received: class_names=", list_text(options.class_names));
    subdirs = options.class_names;
  }
  index.class_names = subdirs;
  for (std::size_t c = 0; c < subdirs.size(); ++c) {
    for (fs::path& file : image_files(directory / subdirs[c])) {
      index.files.push_back(std::move(file));
      index.labels.push_back(static_cast<std::int64_t>(c));
    }
  }
  return index;
}

int channels_of(ColorMode mode) { return mode == ColorMode::Grayscale ? 1 : mode == ColorMode::RGB ? 3 : 4; }

// Keras's check_validation_split_arg.
void check_split(const ImageDatasetOptions& options, bool both) {
  STRATA_CHECK(options.validation_split == 0 || (options.validation_split > 0 && options.validation_split < 1),
               ValueError, "`validation_split` must be between 0 and 1, received: ", options.validation_split);
  STRATA_CHECK((options.validation_split != 0) == (both || options.subset != Subset::All), ValueError,
               "If `subset` is set, `validation_split` must be set, and inversely.");
  STRATA_CHECK(options.validation_split == 0 || !options.shuffle || options.seed.has_value(), ValueError,
               "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make sure "
               "that there is no overlap between the training and validation subset.");
  STRATA_CHECK(options.batch_size >= 1, ValueError,
               "image_dataset_from_directory: batch_size must be at least 1, received ", options.batch_size);
  STRATA_CHECK(options.image_size[0] >= 1 && options.image_size[1] >= 1, ValueError,
               "image_dataset_from_directory: image_size must be positive, received (", options.image_size[0], ", ",
               options.image_size[1], ")");
}

// The indexed, shuffled, checked files of `directory`, and the seed the data sets reshuffle with.
struct Prepared {
  Index index;
  std::uint64_t seed;
};

Prepared prepare(const fs::path& directory, const ImageDatasetOptions& options, bool both) {
  check_split(options, both);
  Prepared prepared{index_directory(directory, options), options.seed ? *options.seed : detail::global_rng()()};
  Index& index = prepared.index;
  STRATA_CHECK(options.label_mode != LabelMode::Binary || index.class_names.size() == 2, ValueError,
               "When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: class_names=",
               list_text(index.class_names));
  if (options.shuffle) {
    // One permutation for files and labels alike (Keras shuffles both with the same seed).
    std::vector<std::size_t> order(index.files.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(prepared.seed);
    std::shuffle(order.begin(), order.end(), rng);
    Index shuffled{{}, {}, index.class_names};
    for (std::size_t i : order) {
      shuffled.files.push_back(index.files[i]);
      if (!index.labels.empty()) shuffled.labels.push_back(index.labels[i]);
    }
    index = std::move(shuffled);
  }
  return prepared;
}

// Keras's get_training_or_validation_split: the last int(split * n) files validate.
std::pair<std::size_t, std::size_t> subset_range(std::size_t n, double split, Subset subset) {
  const auto validation = static_cast<std::size_t>(split * static_cast<double>(n));
  if (subset == Subset::Training) return {0, n - validation};
  if (subset == Subset::Validation) return {n - validation, n};
  return {0, n};
}

std::shared_ptr<ImageDataset> make_subset(const Prepared& prepared, const ImageDatasetOptions& options, Subset subset,
                                          bool reshuffle, const fs::path& directory) {
  const auto [begin, end] = subset_range(prepared.index.files.size(), options.validation_split, subset);
  std::vector<fs::path> files(prepared.index.files.begin() + static_cast<std::ptrdiff_t>(begin),
                              prepared.index.files.begin() + static_cast<std::ptrdiff_t>(end));
  std::vector<std::int64_t> labels;
  if (!prepared.index.labels.empty())
    labels.assign(prepared.index.labels.begin() + static_cast<std::ptrdiff_t>(begin),
                  prepared.index.labels.begin() + static_cast<std::ptrdiff_t>(end));
  const char* which = subset == Subset::Training ? "training " : subset == Subset::Validation ? "validation " : "";
  STRATA_CHECK(!files.empty(), ValueError, "No ", which, "images found in directory ", directory.string(),
               ". Allowed formats: ", kAllowedFormats);
  // Reshuffles draw from a generator of their own per subset, so the two halves stay independent.
  const std::uint64_t seed = prepared.seed + (subset == Subset::Validation ? 1 : 0);
  return std::make_shared<ImageDataset>(std::move(files), std::move(labels), prepared.index.class_names, options,
                                        reshuffle, seed);
}

}  // namespace

ImageDataset::ImageDataset(std::vector<fs::path> files, std::vector<std::int64_t> labels,
                           std::vector<std::string> class_names, const ImageDatasetOptions& options, bool reshuffle,
                           std::uint64_t seed)
    : PyDataset(options.loading),
      files_(std::move(files)),
      labels_(std::move(labels)),
      class_names_(std::move(class_names)),
      options_(options),
      reshuffle_(reshuffle),
      rng_(seed),
      order_(files_.size()) {
  STRATA_CHECK(labels_.empty() || labels_.size() == files_.size(), ValueError, "ImageDataset: ", labels_.size(),
               " labels for ", files_.size(), " files");
  STRATA_CHECK(options_.batch_size >= 1, ValueError, "ImageDataset: batch_size must be at least 1, received ",
               options_.batch_size);
  // Int labels pass through as given (Keras's); one-hot and binary ones index the classes.
  const bool indices = options_.label_mode == LabelMode::Categorical || options_.label_mode == LabelMode::Binary;
  for (std::int64_t label : labels_)
    STRATA_CHECK(label >= 0 && (!indices || label < static_cast<std::int64_t>(class_names_.size())), ValueError,
                 "ImageDataset: label ", label, " is not the index of one of the ", class_names_.size(), " classes");
  std::iota(order_.begin(), order_.end(), 0);
  if (reshuffle_) std::shuffle(order_.begin(), order_.end(), rng_);
}

std::int64_t ImageDataset::size() const {
  const auto n = static_cast<std::int64_t>(files_.size());
  return (n + options_.batch_size - 1) / options_.batch_size;
}

Batch ImageDataset::get(std::int64_t index) {
  STRATA_CHECK(index >= 0 && index < size(), ValueError, "ImageDataset: batch ", index, " is out of range (", size(),
               " batches)");
  const auto first = static_cast<std::size_t>(index * options_.batch_size);
  const std::size_t count = std::min(files_.size() - first, static_cast<std::size_t>(options_.batch_size));
  const int channels = channels_of(options_.color_mode);
  const auto [height, width] = options_.image_size;
  const std::size_t image_floats = static_cast<std::size_t>(height * width) * static_cast<std::size_t>(channels);
  Batch batch;
  xt::xarray<float> x = xt::xarray<float>::from_shape(
      {count, static_cast<std::size_t>(height), static_cast<std::size_t>(width), static_cast<std::size_t>(channels)});
  for (std::size_t i = 0; i < count; ++i) {
    const fs::path& file = files_[order_[first + i]];
    const std::vector<std::byte> bytes = detail::read_whole_file(file.string(), backends::host_memory_limit());
    const std::span<const std::uint8_t> view(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const detail::DecodedImage image = detail::convert_channels(detail::decode_image(view, file.string()), channels);
    detail::resize_bilinear(image, height, width, x.data() + i * image_floats);
  }
  batch.x.push_back(std::move(x));
  if (options_.label_mode == LabelMode::None || labels_.empty()) return batch;
  const std::size_t classes = class_names_.size();
  xt::xarray<float> y;
  if (options_.label_mode == LabelMode::Categorical) {
    y = xt::zeros<float>({count, classes});
    for (std::size_t i = 0; i < count; ++i) y(i, static_cast<std::size_t>(labels_[order_[first + i]])) = 1.f;
  } else {
    y = options_.label_mode == LabelMode::Binary ? xt::xarray<float>::from_shape({count, std::size_t{1}})
                                                 : xt::xarray<float>::from_shape({count});
    for (std::size_t i = 0; i < count; ++i) y.data()[i] = static_cast<float>(labels_[order_[first + i]]);
  }
  batch.y.push_back(std::move(y));
  return batch;
}

void ImageDataset::on_epoch_end() {
  if (reshuffle_) std::shuffle(order_.begin(), order_.end(), rng_);
}

std::vector<fs::path> ImageDataset::file_paths() const {
  std::vector<fs::path> paths;
  for (std::size_t i : order_) paths.push_back(files_[i]);
  return paths;
}

std::shared_ptr<ImageDataset> image_dataset_from_directory(const fs::path& directory,
                                                           const ImageDatasetOptions& options) {
  const Prepared prepared = prepare(directory, options, false);
  return make_subset(prepared, options, options.subset, options.shuffle, directory);
}

std::pair<std::shared_ptr<ImageDataset>, std::shared_ptr<ImageDataset>> image_dataset_from_directory_both(
    const fs::path& directory, const ImageDatasetOptions& options) {
  STRATA_CHECK(options.subset == Subset::All, ValueError,
               "image_dataset_from_directory_both makes both subsets: leave `subset` at All");
  STRATA_CHECK(options.validation_split > 0, ValueError,
               "If `subset` is set, `validation_split` must be set, and inversely.");
  const Prepared prepared = prepare(directory, options, true);
  return {make_subset(prepared, options, Subset::Training, options.shuffle, directory),
          make_subset(prepared, options, Subset::Validation, false, directory)};
}

}  // namespace strata::data
