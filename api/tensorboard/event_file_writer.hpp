#pragma once
// An event file as TensorFlow 2's summary writer makes one, read by TensorBoard: TFRecord
// records (length, masked CRC-32C of the length, the serialized Event, masked CRC-32C of the
// Event), the first Event holding the file version, then one Event per summary value. Used by
// the TensorBoard callback (api/callbacks/tensorboard.cpp) for its train and validation runs.

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

namespace strata::tensorboard_pb {
class Event;
}

namespace strata::detail {

class EventFileWriter {
 public:
  /// Creates `directory` (and its parents) and a new event file in it, named as TensorFlow 2
  /// names its own, `events.out.tfevents.<10-digit Unix seconds>.<host>.<pid>.<n>.v2` (n counts
  /// the files this process opened, so two writers started within a second never collide),
  /// holding the file_version event "brain.Event:2", flushed. IOError naming the directory or
  /// the file and the system's reason when either cannot be made.
  explicit EventFileWriter(const std::string& directory);
  /// Flushes and closes the file (errors are not reported here; call close() to see them).
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  /// tf.summary.scalar: a float32 scalar tensor, plugin "scalars". The value is rounded to
  /// float32 as TensorFlow's summary op casts it; NaN and infinities are written as they are.
  void scalar(const std::string& tag, double value, std::int64_t step);
  /// tf.summary.histogram: a (30, 3) float64 tensor of [left edge, right edge, count] rows
  /// (histogram_buckets), plugin "histograms".
  void histogram(const std::string& tag, std::span<const float> values, std::int64_t step);
  /// Keras's keras_model_summary: the model's JSON as a string scalar, plugin
  /// "graph_keras_model" with content "1", which TensorBoard's graph page draws.
  void keras_model(const std::string& tag, const std::string& json, std::int64_t step);
  /// Pushes what was written to the file, so a running TensorBoard sees it. IOError naming
  /// the file when the system refuses (a full disk).
  void flush();
  /// flush() and close; later writes are a StateError.
  void close();

  /// The event file's path.
  const std::string& path() const { return path_; }

 private:
  void write(const tensorboard_pb::Event& event);

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace strata::detail
