#pragma once
/// @file
/// image_dataset_from_directory: a data set of images from a directory tree with one
/// sub-folder per class, as keras.utils.image_dataset_from_directory.
///
///     // flowers/daisy/*.jpg, flowers/roses/*.png, ...
///     auto train = strata::data::image_dataset_from_directory(
///         "flowers", {.image_size = {180, 180}, .seed = 123, .validation_split = 0.2,
///                     .subset = strata::data::Subset::Training});
///     auto [training, validation] = strata::data::image_dataset_from_directory_both(
///         "flowers", {.seed = 123, .validation_split = 0.2});
///     model.fit(*training, {.epochs = 10, .validation_data = *validation});
///
/// As in Keras: the classes are the sub-folders in sorted order (hidden ones skipped), or
/// `class_names`; each class's images are found recursively, sorted by folder then file name;
/// files ending (in any case) in .png, .jpg or .jpeg are images (Keras also takes .bmp and .gif,
/// which Strata does not decode), their format told by their content. With `shuffle` the list is
/// shuffled once with `seed` before the validation split (the last `validation_split` of the
/// files, rounded down, is the validation subset), and the data set reshuffles its order after
/// every epoch (the validation half of image_dataset_from_directory_both keeps its order). A
/// seed gives the same split and orders from run to run, not Keras's (another generator).
///
/// Each batch: x of shape (batch, height, width, channels), float pixels 0..255, each image
/// resized to `image_size` by bilinear interpolation with half-pixel centres and no
/// antialiasing (keras.ops.image.resize's default); y per `label_mode`: Int (batch,) class
/// indices, Categorical (batch, classes) one-hot, Binary (batch, 1) 0 or 1, None no y. The last
/// batch may be smaller. Images are decoded in get(), on the workers when `workers` > 1.
/// Channels: Grayscale gives 1 (a colour image becomes (299 R + 587 G + 114 B) / 1000, rounded,
/// as Pillow's convert("L")), RGB 3 (a grey image repeated, alpha dropped), RGBA 4 (alpha 255
/// where the file has none). 16-bit PNGs are scaled to 8 bits (rounded), palettes expanded.
///
/// Errors: ValueError with Keras's wording for the arguments (validation_split outside (0, 1),
/// subset without validation_split or the reverse, shuffle with validation_split and no seed,
/// class_names not among the sub-folders, Binary without exactly 2 classes, labels whose count
/// differs from the files', no images found); IOError naming the file for one that cannot be
/// read or decoded (not PNG or JPEG, truncated, corrupt: the library's message), raised by the
/// get() that decodes it; ValueError for an image of more than 178956970 pixels (Pillow's
/// decompression-bomb limit), refused before its pixels are allocated.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "strata/data/py_dataset.hpp"

namespace strata::data {

/// The labels image_dataset_from_directory yields (Keras's label_mode).
enum class LabelMode {
  Int,          ///< the class index, shape (batch,)
  Categorical,  ///< one-hot, shape (batch, classes)
  Binary,       ///< 0 or 1, shape (batch, 1); needs exactly 2 classes
  None,         ///< no labels: every image under the directory, sub-folders ignored
};

/// The channels of the decoded images (Keras's color_mode).
enum class ColorMode { Grayscale, RGB, RGBA };

/// Which part of a validation split a data set holds (Keras's subset; "both" is
/// image_dataset_from_directory_both).
enum class Subset { All, Training, Validation };

/// The arguments of image_dataset_from_directory, with Keras's defaults.
struct ImageDatasetOptions {
  /// Labels given explicitly, one per image file in sorted path order; empty: inferred from the
  /// sub-folders (Keras's labels="inferred"). Given labels are yielded as they are (non-negative;
  /// below the number of classes for Categorical and Binary), and class_names are their distinct
  /// values, sorted, as text.
  std::vector<std::int64_t> labels = {};
  /// How the labels are encoded.
  LabelMode label_mode = LabelMode::Int;
  /// The classes to use, in this order (each must be a sub-folder); empty: every sub-folder,
  /// sorted.
  std::vector<std::string> class_names = {};
  /// The channels of the images.
  ColorMode color_mode = ColorMode::RGB;
  /// Images per batch.
  int batch_size = 32;
  /// The size every image is resized to: {height, width}.
  std::array<std::int64_t, 2> image_size = {256, 256};
  /// Shuffle the files (once, before the split) and the order after each epoch.
  bool shuffle = true;
  /// Seeds the shuffling; none: Strata's global generator (see set_random_seed).
  std::optional<std::uint64_t> seed = std::nullopt;
  /// The fraction of files held out for validation; 0: none.
  double validation_split = 0;
  /// Which part this data set holds; needs validation_split.
  Subset subset = Subset::All;
  /// Threads decoding batches ahead of the step, and the batches they may keep ready (PyDataset).
  PyDatasetOptions loading = {};
};

/// The PyDataset image_dataset_from_directory returns: batches of decoded, resized images.
class ImageDataset : public PyDataset {
 public:
  /// The files (paths), their labels (class indices; empty with LabelMode::None), the classes'
  /// names, the options, and whether the order is reshuffled after every epoch (seeded with
  /// `seed`). image_dataset_from_directory makes these; direct use is for lists of files made
  /// otherwise.
  ImageDataset(std::vector<std::filesystem::path> files, std::vector<std::int64_t> labels,
               std::vector<std::string> class_names, const ImageDatasetOptions& options, bool reshuffle,
               std::uint64_t seed);

  /// The number of batches: ceil(files / batch_size).
  std::int64_t size() const override;
  /// Decodes, converts and resizes the images of batch `index`. Safe to call from several
  /// threads at once.
  Batch get(std::int64_t index) override;
  /// Reshuffles the order when the data set shuffles.
  void on_epoch_end() override;

  /// The classes' names, the label index order (empty with LabelMode::None).
  const std::vector<std::string>& class_names() const { return class_names_; }
  /// The image files in their current order (Keras's file_paths).
  std::vector<std::filesystem::path> file_paths() const;

 private:
  std::vector<std::filesystem::path> files_;
  std::vector<std::int64_t> labels_;
  std::vector<std::string> class_names_;
  ImageDatasetOptions options_;
  bool reshuffle_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;  // the files' order this epoch
};

/// The images under `directory` as a data set (see the file's documentation). `subset` picks
/// the training or validation part of a split.
std::shared_ptr<ImageDataset> image_dataset_from_directory(const std::filesystem::path& directory,
                                                           const ImageDatasetOptions& options = {});

/// Keras's subset="both": the training and the validation parts of one split, in that order.
/// Needs validation_split; `options.subset` must be left at All.
std::pair<std::shared_ptr<ImageDataset>, std::shared_ptr<ImageDataset>> image_dataset_from_directory_both(
    const std::filesystem::path& directory, const ImageDatasetOptions& options);

}  // namespace strata::data
