// The TensorBoard callback: its event files read back record by record (TFRecord framing and
// CRCs checked, Events parsed with the same schema TensorBoard uses), tags, steps and values
// against the training's own logs; the CRC and the histogram buckets against TensorBoard's
// own code (tests/golden/make_tensorboard_goldens.py). TensorBoard's real reader runs on
// Strata's files in the ctest tensorboard.reads_strata_event_files (tests/tensorboard).

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "api/tensorboard/crc32c.hpp"
#include "api/tensorboard/histogram_buckets.hpp"
#include "api/tensorboard/summary.pb.h"
#include "strata/strata.hpp"
#include "support/goldens.hpp"

using namespace strata;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(std::uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::uint32_t read_u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::uint8_t(s[at + i]);
  return v;
}

// One summary value read back: its event's step and either a float, a histogram or a string.
struct Point {
  std::int64_t step;
  std::string plugin;
  std::vector<std::int64_t> shape;
  std::vector<double> numbers;
  std::string text;
};

struct EventFile {
  std::string name;
  std::string file_version;
  std::map<std::string, std::vector<Point>> tags;
};

// Reads the one event file in `dir`, checking every record's length and data CRC.
EventFile read_events(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  REQUIRE(files.size() == 1);
  std::ifstream in(files[0], std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EventFile result{files[0].filename().string(), {}, {}};
  std::size_t at = 0;
  bool first = true;
  while (at < bytes.size()) {
    REQUIRE(at + 12 <= bytes.size());
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | p[at + i];
    REQUIRE(read_u32(bytes, at + 8) == detail::masked_crc32c({p + at, 8}));
    REQUIRE(at + 12 + length + 4 <= bytes.size());
    REQUIRE(read_u32(bytes, at + 12 + length) == detail::masked_crc32c({p + at + 12, length}));
    tensorboard_pb::Event event;
    REQUIRE(event.ParseFromString(bytes.substr(at + 12, length)));
    at += 12 + length + 4;
    if (first) {
      result.file_version = event.file_version();
      first = false;
      continue;
    }
    REQUIRE(event.has_summary());
    for (const auto& value : event.summary().value()) {
      Point point{event.step(), value.metadata().plugin_data().plugin_name(), {}, {}, {}};
      const auto& tensor = value.tensor();
      for (const auto& dim : tensor.tensor_shape().dim()) point.shape.push_back(dim.size());
      const std::string& content = tensor.tensor_content();
      if (tensor.dtype() == tensorboard_pb::DT_FLOAT) {
        for (std::size_t i = 0; i + 4 <= content.size(); i += 4) {
          float f;
          std::memcpy(&f, content.data() + i, 4);
          point.numbers.push_back(f);
        }
      } else if (tensor.dtype() == tensorboard_pb::DT_DOUBLE) {
        for (std::size_t i = 0; i + 8 <= content.size(); i += 8) {
          double d;
          std::memcpy(&d, content.data() + i, 8);
          point.numbers.push_back(d);
        }
      } else {
        REQUIRE(tensor.dtype() == tensorboard_pb::DT_STRING);
        REQUIRE(tensor.string_val_size() == 1);
        point.text = tensor.string_val(0);
      }
      result.tags[value.tag()].push_back(std::move(point));
    }
  }
  return result;
}

std::vector<std::int64_t> steps_of(const std::vector<Point>& points) {
  std::vector<std::int64_t> steps;
  for (const auto& p : points) steps.push_back(p.step);
  return steps;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

xt::xarray<float> sample_data(std::size_t rows, std::size_t cols, float scale) {
  xt::xarray<float> a = xt::zeros<float>({rows, cols});
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) a(i, j) = scale * std::sin(float(i * cols + j) * 0.7f);
  return a;
}

}  // namespace

TEST_CASE("crc32c and its TFRecord mask equal TensorBoard's", "[tensorboard]") {
  for (const auto& c : testing::golden_file("tensorboard.json").at("crc")) {
    const auto bytes = from_hex(c.at("hex").get<std::string>());
    INFO("input " << c.at("hex").get<std::string>());
    CHECK(detail::crc32c(bytes) == c.at("crc32c").get<std::uint32_t>());
    CHECK(detail::masked_crc32c(bytes) == c.at("masked").get<std::uint32_t>());
  }
}

TEST_CASE("histogram buckets equal TensorBoard's histogram summary", "[tensorboard]") {
  for (const auto& [name, c] : testing::golden_file("tensorboard.json").at("histograms").items()) {
    INFO("array " << name);
    std::vector<float> values;
    for (const auto& v : c.at("values")) values.push_back(std::stof(v.get<std::string>()));
    const auto buckets = detail::histogram_buckets(values);
    const auto& expected = c.at("buckets");
    REQUIRE(buckets.size() == expected.size());
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      INFO("bucket " << i);
      CHECK(buckets[i].left == std::stod(expected[i][0].get<std::string>()));
      CHECK(buckets[i].right == std::stod(expected[i][1].get<std::string>()));
      CHECK(buckets[i].count == std::stod(expected[i][2].get<std::string>()));
    }
  }
  // Strata's rule where TensorFlow has none: a NaN or infinity makes every edge NaN.
  const std::vector<float> with_nan{1.0f, std::nanf(""), 2.0f};
  const auto buckets = detail::histogram_buckets(with_nan);
  REQUIRE(buckets.size() == 30);
  CHECK(std::isnan(buckets[0].left));
  CHECK(std::isnan(buckets[29].right));
  CHECK(buckets[29].count == 3);
  CHECK(detail::histogram_buckets({}, 30)[5].count == 0);
  CHECK(detail::histogram_buckets(with_nan, 0).empty());
}

TEST_CASE("TensorBoard writes Keras's runs, tags and steps: epoch and batch scalars, histograms, the graph",
          "[tensorboard]") {
  const fs::path dir = fresh_dir("strata_tensorboard");
  Sequential model({Input({4}), Dense(3, "relu", {.name = "hidden"}), Dense(2, "linear", {.name = "out"})}, "seq");
  model.compile("sgd", "mse", {"mae"});
  const auto x = sample_data(20, 4, 1.0f), y = sample_data(20, 2, 0.5f), x_val = sample_data(6, 4, 0.8f),
             y_val = sample_data(6, 2, 0.4f);
  callbacks::TensorBoard tensorboard({.log_dir = dir.string(), .histogram_freq = 2, .update_freq = 3});
  const History history = model.fit(x, y,
                                    {.batch_size = 8,
                                     .epochs = 3,
                                     .verbose = 0,
                                     .callbacks = {tensorboard},
                                     .validation_data = std::pair{x_val, y_val},
                                     .shuffle = false});

  const EventFile train = read_events(dir / "train");
  const EventFile validation = read_events(dir / "validation");
  CHECK(std::regex_match(train.name, std::regex(R"(events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+\.v2)")));
  CHECK(train.file_version == "brain.Event:2");
  CHECK(validation.file_version == "brain.Event:2");

  // Epoch scalars: training keys and the learning rate on train, val_ keys unprefixed on
  // validation, step = epoch, values as float32.
  for (const char* key : {"loss", "mae"}) {
    INFO(key);
    const auto& points = train.tags.at(std::string("epoch_") + key);
    REQUIRE(steps_of(points) == std::vector<std::int64_t>{0, 1, 2});
    const auto& val_points = validation.tags.at(std::string("epoch_") + key);
    REQUIRE(steps_of(val_points) == std::vector<std::int64_t>{0, 1, 2});
    for (int e = 0; e < 3; ++e) {
      CHECK(points[e].plugin == "scalars");
      CHECK(points[e].shape.empty());
      CHECK(points[e].numbers.at(0) == double(float(history.history.at(key)[e])));
      CHECK(val_points[e].numbers.at(0) == double(float(history.history.at(std::string("val_") + key)[e])));
    }
  }
  CHECK(train.tags.at("epoch_learning_rate").at(2).numbers.at(0) == double(0.01f));
  CHECK(train.tags.count("epoch_val_loss") == 0);
  CHECK(validation.tags.count("epoch_learning_rate") == 0);
  // evaluate's scalars at the optimizer's step count: 3 steps per epoch.
  CHECK(steps_of(validation.tags.at("evaluation_loss_vs_iterations")) == std::vector<std::int64_t>{3, 6, 9});

  // Batch scalars every 3rd batch, counted across epochs (1-based): 9 batches in all.
  REQUIRE(steps_of(train.tags.at("batch_loss")) == std::vector<std::int64_t>{3, 6, 9});
  CHECK(train.tags.count("batch_mae") == 1);

  // Histograms at epochs 0 and 2 under Keras's Sequential paths; the last equals the buckets
  // of the final weights.
  const std::vector<std::string> weight_tags{"seq/hidden/kernel/histogram", "seq/hidden/bias/histogram",
                                             "seq/out/kernel/histogram", "seq/out/bias/histogram"};
  std::size_t histogram_tags = 0;
  for (const auto& [tag, points] : train.tags) histogram_tags += points.at(0).plugin == "histograms";
  CHECK(histogram_tags == weight_tags.size());
  const auto weights = model.get_weights();
  for (std::size_t i = 0; i < weight_tags.size(); ++i) {
    INFO(weight_tags[i]);
    const auto& points = train.tags.at(weight_tags[i]);
    REQUIRE(steps_of(points) == std::vector<std::int64_t>{0, 2});
    CHECK(points[1].shape == std::vector<std::int64_t>{30, 3});
    const auto expected = detail::histogram_buckets({weights[i].data(), weights[i].size()});
    for (std::size_t b = 0; b < 30; ++b) {
      CHECK(points[1].numbers[3 * b] == expected[b].left);
      CHECK(points[1].numbers[3 * b + 1] == expected[b].right);
      CHECK(points[1].numbers[3 * b + 2] == expected[b].count);
    }
  }

  // The graph: Keras's model JSON at step 0 for TensorBoard's graph_keras_model plugin.
  const auto& graph = train.tags.at("keras");
  REQUIRE(graph.size() == 1);
  CHECK(graph[0].step == 0);
  CHECK(graph[0].plugin == "graph_keras_model");
  CHECK(nlohmann::json::parse(graph[0].text) == nlohmann::json::parse(model.to_json()));
  fs::remove_all(dir);
}

TEST_CASE(
    "TensorBoard names a Functional model's weights without a model scope and writes no batch scalars by "
    "default",
    "[tensorboard]") {
  const fs::path dir = fresh_dir("strata_tensorboard_functional");
  auto in = Input({4}, {.name = "features"});
  Model model(in, Dense(2, "linear", {.name = "head"})(Dense(3, "relu", {.name = "trunk"})(in)));
  model.compile("adam", "mse");
  const auto x = sample_data(16, 4, 1.0f), y = sample_data(16, 2, 0.5f);
  callbacks::TensorBoard tensorboard({.log_dir = dir.string(), .histogram_freq = 1, .write_graph = false});
  for (int batch = 0; batch < 5; ++batch) CHECK_FALSE(tensorboard.wants_batch_logs(CallbackMode::Train, batch, false));
  model.fit(x, y,
            {.batch_size = 8,
             .epochs = 2,
             .verbose = 0,
             .callbacks = {tensorboard},
             .validation_data = std::pair{x, y},
             .shuffle = false});
  const EventFile train = read_events(dir / "train");
  for (const char* tag : {"trunk/kernel/histogram", "trunk/bias/histogram", "head/kernel/histogram"})
    CHECK(steps_of(train.tags.at(tag)) == std::vector<std::int64_t>{0, 1});
  CHECK(train.tags.count("keras") == 0);
  for (const auto& [tag, points] : train.tags) CHECK_FALSE(tag.starts_with("batch_"));
  fs::remove_all(dir);
}

TEST_CASE("TensorBoard asks for batch logs only on the batches it writes", "[tensorboard]") {
  callbacks::TensorBoard every_batch({.log_dir = "unused", .update_freq = "batch"});
  CHECK(every_batch.wants_batch_logs(CallbackMode::Train, 0, false));
  CHECK_FALSE(every_batch.wants_batch_logs(CallbackMode::Test, 0, false));
  CHECK_FALSE(every_batch.wants_batch_logs(CallbackMode::Predict, 0, false));
  callbacks::TensorBoard every_fourth({.log_dir = "unused", .update_freq = 4});
  std::vector<int> wanted;
  for (int batch = 0; batch < 10; ++batch)
    if (every_fourth.wants_batch_logs(CallbackMode::Train, batch, false)) wanted.push_back(batch);
  CHECK(wanted == std::vector<int>{3, 7});
  // A temporary moves into fit's callback list.
  const Callbacks list{callbacks::TensorBoard({.log_dir = "unused", .histogram_freq = 2})};
  REQUIRE(list.list().size() == 1);
  CHECK(dynamic_cast<const callbacks::TensorBoard&>(*list.list()[0]).options().histogram_freq == 2);
}

TEST_CASE("TensorBoard refuses bad options and an unwritable log_dir at on_train_begin", "[tensorboard]") {
  CHECK_THROWS_WITH(callbacks::TensorBoard({.update_freq = "weekly"}),
                    Catch::Contains("update_freq must be \"epoch\", \"batch\" or a positive number"));
  CHECK_THROWS_AS(callbacks::TensorBoard({.update_freq = 0}), ValueError);
  CHECK_THROWS_WITH(callbacks::TensorBoard({.histogram_freq = -1}), Catch::Contains("histogram_freq"));
  CHECK_THROWS_AS(callbacks::TensorBoard({.log_dir = ""}), ValueError);

  // A regular file where the log directory should be: no directory can be made under it.
  const fs::path file = fresh_dir("strata_tensorboard_file");
  std::ofstream(file) << "not a directory";
  Sequential model({Input({2}), Dense(1)});
  model.compile("sgd", "mse");
  callbacks::TensorBoard tensorboard({.log_dir = (file / "logs").string()});
  tensorboard.set_model(model);
  Logs logs;
  CHECK_THROWS_WITH(tensorboard.on_train_begin(logs),
                    Catch::Contains("cannot create the log directory") && Catch::Contains((file / "logs").string()));
  fs::remove(file);
}
