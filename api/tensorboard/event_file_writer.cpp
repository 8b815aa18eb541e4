#include "api/tensorboard/event_file_writer.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "api/tensorboard/crc32c.hpp"
#include "api/tensorboard/histogram_buckets.hpp"
#include "api/tensorboard/summary.pb.h"
#include "strata/error.hpp"

namespace strata::detail {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// TFRecord stores integers little-endian.
template <class T>
void append_le(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The plugin's name and metadata content on a summary value (TensorFlow writes it on every value).
void set_plugin(tensorboard_pb::Summary::Value& value, const char* plugin, const std::string& content) {
  auto* data = value.mutable_metadata()->mutable_plugin_data();
  data->set_plugin_name(plugin);
  data->set_content(content);
}

}  // namespace

EventFileWriter::EventFileWriter(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  STRATA_CHECK(!error, IOError, "TensorBoard: cannot create the log directory \"", directory, "\": ", error.message());
  static std::atomic<long> files_opened{0};
  const auto seconds = static_cast<long long>(now_seconds());
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%010lld", seconds);
  path_ =
      (std::filesystem::path(directory) / ("events.out.tfevents." + std::string(stamp) + "." + host_name() + "." +
                                           std::to_string(::getpid()) + "." + std::to_string(files_opened++) + ".v2"))
          .string();
  file_ = std::fopen(path_.c_str(), "wb");
  STRATA_CHECK(file_ != nullptr, IOError, "TensorBoard: cannot create the event file \"", path_,
               "\": ", std::strerror(errno));
  tensorboard_pb::Event event;
  event.set_wall_time(now_seconds());
  event.set_file_version("brain.Event:2");
  write(event);
  flush();
}

EventFileWriter::~EventFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void EventFileWriter::write(const tensorboard_pb::Event& event) {
  STRATA_CHECK(file_ != nullptr, StateError, "TensorBoard: the event file \"", path_, "\" is closed");
  const std::string data = event.SerializeAsString();
  std::string length;
  append_le(length, static_cast<std::uint64_t>(data.size()));
  std::string record = length;
  append_le(record, masked_crc32c(as_bytes(length)));
  record += data;
  append_le(record, masked_crc32c(as_bytes(data)));
  STRATA_CHECK(std::fwrite(record.data(), 1, record.size(), file_) == record.size(), IOError,
               "TensorBoard: cannot write the event file \"", path_, "\": ", std::strerror(errno));
}

void EventFileWriter::scalar(const std::string& tag, double value, std::int64_t step) {
  tensorboard_pb::Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  auto* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(tag);
  set_plugin(*summary_value, "scalars", "");
  auto* tensor = summary_value->mutable_tensor();
  tensor->set_dtype(tensorboard_pb::DT_FLOAT);
  tensor->mutable_tensor_shape();  // present and empty: a scalar
  const auto narrowed = static_cast<float>(value);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &narrowed, sizeof bits);
  std::string content;
  append_le(content, bits);
  tensor->set_tensor_content(content);
  write(event);
}

void EventFileWriter::histogram(const std::string& tag, std::span<const float> values, std::int64_t step) {
  const auto buckets = histogram_buckets(values);
  tensorboard_pb::Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  auto* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(tag);
  set_plugin(*summary_value, "histograms", "");
  auto* tensor = summary_value->mutable_tensor();
  tensor->set_dtype(tensorboard_pb::DT_DOUBLE);
  tensor->mutable_tensor_shape()->add_dim()->set_size(static_cast<std::int64_t>(buckets.size()));
  tensor->mutable_tensor_shape()->add_dim()->set_size(3);
  std::string content;
  content.reserve(buckets.size() * 3 * sizeof(double));
  for (const auto& bucket : buckets) {
    for (const double x : {bucket.left, bucket.right, bucket.count}) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof bits);
      append_le(content, bits);
    }
  }
  tensor->set_tensor_content(content);
  write(event);
}

void EventFileWriter::keras_model(const std::string& tag, const std::string& json, std::int64_t step) {
  tensorboard_pb::Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  auto* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(tag);
  set_plugin(*summary_value, "graph_keras_model", "1");
  auto* tensor = summary_value->mutable_tensor();
  tensor->set_dtype(tensorboard_pb::DT_STRING);
  tensor->mutable_tensor_shape();
  tensor->add_string_val(json);
  write(event);
}

void EventFileWriter::flush() {
  STRATA_CHECK(file_ != nullptr, StateError, "TensorBoard: the event file \"", path_, "\" is closed");
  STRATA_CHECK(std::fflush(file_) == 0, IOError, "TensorBoard: cannot write the event file \"", path_,
               "\": ", std::strerror(errno));
}

void EventFileWriter::close() {
  if (file_ == nullptr) return;
  const bool flushed = std::fflush(file_) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  STRATA_CHECK(flushed && closed, IOError, "TensorBoard: cannot write the event file \"", path_,
               "\": ", std::strerror(flushed ? errno : flush_errno));
}

}  // namespace strata::detail
