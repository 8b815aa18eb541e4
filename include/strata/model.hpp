#pragma once
/// @class strata::Model
/// Model: a Layer with compile, fit, evaluate, predict, weights and summary. Three ways to make
/// one, all run by the same engine (a tape recorded while the model's call runs):
///
///     Sequential model({Input({784}), Dense(128, "relu"), Dense(10, "softmax")});   // a chain
///
///     auto x = Input({784});                                                          // Functional
///     auto y = Dense(10, "softmax")(Dense(128, "relu")(x));
///     Model model(x, y);
///
///     struct SimpleNN : Model {                                                       // subclassed
///     Dense fc1{128}, fc2{10};
///     Tensor call(const Tensor& x, bool training) override { return fc2(fc1(x)); }
///     };
///
/// A subclassed model's layers are the layers its call() uses, in the order of their first
/// call (Keras lists attributes in assignment order; for the usual models both agree). Its call
/// runs every step, so C++ control flow in it is fine.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/callbacks/callback.hpp"
#include "strata/data/py_dataset.hpp"
#include "strata/handle.hpp"
#include "strata/history.hpp"
#include "strata/layer.hpp"
#include "strata/losses/loss.hpp"
#include "strata/metrics/metric.hpp"
#include "strata/optimizers/optimizer.hpp"

namespace strata {

namespace detail {
class Tape;
struct FunctionalGraph;
}  // namespace detail

/// fit/evaluate/predict's x or y: one array, a list with one array per model input (output) in
/// order, or a map from input (output) name to array. Refers to the arrays, which must outlive
/// the call: `model.fit({x_img, x_meta}, {y_cls, y_aux})`, `model.fit({{"image", x}}, y)`.
class Arrays {
 public:
  /// The array type the training loops read.
  using Array = xt::xarray<float>;
  /// One array, for a model with one input (output).
  Arrays(const Array& array) : arrays_{&array} {}
  /// An xtensor expression (`xt::zeros<float>({4, 784})`) is evaluated into an array kept here.
  template <class E>
  requires xt::is_xexpression<std::remove_cvref_t<E>>::value &&
      (!std::is_same_v<std::remove_cvref_t<E>, Array>)Arrays(const E& expression)
      : owned_(std::make_shared<Array>(expression)), arrays_{owned_.get()} {}
  /// One array per model input (output), in order: `{x_img, x_meta}`.
  Arrays(std::initializer_list<std::reference_wrapper<const Array>> list);
  /// One array per model input (output), in order.
  Arrays(const std::vector<Array>& list);
  /// Arrays by input (output) name: `{{"image", x_img}, {"meta", x_meta}}`.
  Arrays(std::initializer_list<std::pair<const std::string, std::reference_wrapper<const Array>>> by_name);
  /// Arrays by input (output) name.
  Arrays(const std::map<std::string, Array>& by_name);

  /// How many arrays were given.
  std::size_t size() const { return arrays_.size(); }
  /// The i-th array, in the order given.
  const Array& operator[](std::size_t i) const { return *arrays_[i]; }
  /// The names of a map, else empty.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::shared_ptr<const Array> owned_;
  std::vector<const Array*> arrays_;
  std::vector<std::string> names_;
};

/// compile's loss: one loss for every output, a list by output position, or a map by output
/// name (an output left out of a map gets no loss).
class LossSpec {
 public:
  /// One loss for every output, by Keras's name: `"mse"`.
  LossSpec(const char* name) : single_(name) {}
  /// One loss for every output, by Keras's name.
  LossSpec(const std::string& name) : single_(name) {}
  /// One loss object or name for every output.
  LossSpec(Handle<Loss> loss) : single_(std::move(loss)) {}
  /// One loss object for every output: `losses::Huber({.delta = 2.0})`.
  template <class T>
  requires std::derived_from<std::remove_cvref_t<T>, Loss> LossSpec(T&& loss)
      : single_(Handle<Loss>(std::forward<T>(loss))) {}
  /// One loss per output, in output order.
  LossSpec(std::vector<Handle<Loss>> by_position) : by_position_(std::move(by_position)) {}
  /// Losses by output name: `{{"cls", "sparse_categorical_crossentropy"}, {"aux", "mse"}}`.
  LossSpec(std::initializer_list<std::pair<const std::string, Handle<Loss>>> by_name) : by_name_(by_name) {}
  /// Losses by output name.
  LossSpec(std::map<std::string, Handle<Loss>> by_name) : by_name_(std::move(by_name)) {}

  /// The loss for every output, when one was given.
  const std::optional<Handle<Loss>>& single() const { return single_; }
  /// The losses given by position (empty otherwise).
  const std::vector<Handle<Loss>>& by_position() const { return by_position_; }
  /// The losses given by output name (empty otherwise).
  const std::map<std::string, Handle<Loss>>& by_name() const { return by_name_; }

 private:
  std::optional<Handle<Loss>> single_;
  std::vector<Handle<Loss>> by_position_;
  std::map<std::string, Handle<Loss>> by_name_;
};

/// compile's metrics: one list for every output, or a map from output name to a list.
class MetricSpec {
 public:
  /// No metrics.
  MetricSpec() = default;
  /// The same metrics for every output: `{"accuracy"}`.
  MetricSpec(std::initializer_list<Handle<Metric>> all) : all_(all) {}
  /// The same metrics for every output.
  MetricSpec(std::vector<Handle<Metric>> all) : all_(std::move(all)) {}
  /// Metrics by output name: `{{"cls", {"accuracy"}}}`.
  MetricSpec(std::initializer_list<std::pair<const std::string, std::vector<Handle<Metric>>>> by_name)
      : by_name_(by_name) {}
  /// Per output, by output name (as a compile config read from a file holds them).
  MetricSpec(std::map<std::string, std::vector<Handle<Metric>>> by_name) : by_name_(std::move(by_name)) {}

  /// The metrics for every output.
  const std::vector<Handle<Metric>>& all() const { return all_; }
  /// The metrics by output name.
  const std::map<std::string, std::vector<Handle<Metric>>>& by_name() const { return by_name_; }

 private:
  std::vector<Handle<Metric>> all_;
  std::map<std::string, std::vector<Handle<Metric>>> by_name_;
};

/// compile's loss_weights: by output position or by output name (missing ones weigh 1).
class LossWeights {
 public:
  /// Every output's loss weighs 1.
  LossWeights() = default;
  /// One weight per output, in output order.
  LossWeights(std::vector<double> by_position) : by_position_(std::move(by_position)) {}
  /// Weights by output name: `{{"cls", 1.0}, {"aux", 0.2}}`.
  LossWeights(std::initializer_list<std::pair<const std::string, double>> by_name) : by_name_(by_name) {}
  /// Per output, by output name.
  LossWeights(std::map<std::string, double> by_name) : by_name_(std::move(by_name)) {}

  /// The weights given by position (empty otherwise).
  const std::vector<double>& by_position() const { return by_position_; }
  /// The weights given by output name (empty otherwise).
  const std::map<std::string, double>& by_name() const { return by_name_; }

 private:
  std::vector<double> by_position_;
  std::map<std::string, double> by_name_;
};

/// fit's arguments, in Keras's order, with Keras's defaults.
struct FitOptions {
  /// Samples per gradient step (fit) or per forward pass (evaluate, predict). Ignored for a
  /// PyDataset or a generator, whose batches come made.
  int batch_size = 32;
  /// Index of the last epoch to train, as Keras's `epochs`.
  int epochs = 1;
  /// 0 silent, 1 progress bar, 2 one line per epoch.
  int verbose = 1;
  /// Called at the start and end of training, of each epoch and of each batch (see Callback).
  Callbacks callbacks = {};
  /// Fraction of the samples held out for validation: the last ones, taken before shuffling
  /// (arrays only).
  double validation_split = 0.0;
  /// (x, y) to validate on after each epoch (single-input, single-output models); overrides
  /// validation_split.
  std::optional<std::pair<xt::xarray<float>, xt::xarray<float>>> validation_data = std::nullopt;
  /// A data set to validate on after each epoch (kept alive by fit's caller); overrides
  /// validation_data and validation_split.
  PyDataset* validation_dataset = nullptr;
  /// Reshuffle the training samples every epoch (arrays: the samples; a PyDataset: the order
  /// of its batches).
  bool shuffle = true;
  /// Weight of each class in the loss, by class index (single-output models): Keras's
  /// `class_weight`. A sample of a class not in the map weighs 1. Training only.
  std::map<int, double> class_weight = {};
  /// Weight of each sample in the loss (shape (samples,)), for every output: Keras's
  /// `sample_weight`. With validation_split, the held-out samples keep their weights.
  std::optional<xt::xarray<float>> sample_weight = std::nullopt;
  /// Epoch to start from; `epochs` is the index of the last epoch, as in Keras.
  int initial_epoch = 0;
  /// Batches per epoch. With arrays, an epoch takes the next batches of the current shuffle
  /// and a new shuffle starts when they run out (Keras's behaviour); a generator must yield
  /// that many per epoch.
  std::optional<std::int64_t> steps_per_epoch = std::nullopt;
  /// Batches of each validation (all when not given).
  std::optional<std::int64_t> validation_steps = std::nullopt;
  /// Batch size of the validation (batch_size when not given).
  std::optional<int> validation_batch_size = std::nullopt;
  /// Validate after every `validation_freq`-th epoch (1-based: 2 validates after epochs 2, 4 ...).
  int validation_freq = 1;
  /// Weights of validation_data's samples.
  std::optional<xt::xarray<float>> validation_sample_weight = std::nullopt;
  /// Draw the validation_split samples at random (seeded by Strata's generator) instead of
  /// taking the last ones, for data sorted by class. Off by default, as Keras has it.
  bool shuffle_before_split = false;
};

/// evaluate's arguments, with Keras's defaults.
struct EvaluateOptions {
  /// Samples per gradient step (fit) or per forward pass (evaluate, predict).
  int batch_size = 32;
  /// 0 silent, 1 progress bar, 2 one line per epoch (fit) or a single line at the end.
  int verbose = 1;
  /// Weight of each sample in the loss and weighted metrics.
  std::optional<xt::xarray<float>> sample_weight = std::nullopt;
  /// Batches to evaluate (all when not given).
  std::optional<std::int64_t> steps = std::nullopt;
  /// Their test hooks run around the evaluation.
  Callbacks callbacks = {};
};

/// predict's arguments, with Keras's defaults.
struct PredictOptions {
  /// Samples per gradient step (fit) or per forward pass (evaluate, predict).
  int batch_size = 32;
  /// 0 silent, 1 progress bar, 2 one line per epoch (fit) or a single line at the end.
  int verbose = 1;
  /// Batches to predict (all when not given).
  std::optional<std::int64_t> steps = std::nullopt;
  /// Their predict hooks run around the prediction.
  Callbacks callbacks = {};
};

class Model : public Layer {
 public:
  /// A Functional model from symbolic inputs (made by Input) to outputs computed from them.
  /// Every layer on a path between them becomes a layer of the model; a model built from
  /// intermediate tensors of another shares its layers (and weights).
  Model(std::vector<Tensor> inputs, std::vector<Tensor> outputs, std::string name = {});
  /// A Functional model with one input and one output: `Model(x_in, y)`.
  Model(const Tensor& input, const Tensor& output, std::string name = {});
  /// A Functional model with several inputs and one output.
  Model(std::vector<Tensor> inputs, const Tensor& output, std::string name = {});
  /// A Functional model with one input and several outputs.
  Model(const Tensor& input, std::vector<Tensor> outputs, std::string name = {});
  /// Inputs and outputs by name, as Keras's dict form: the names key the data maps of fit and
  /// predict and compile's loss, metric and weight maps (in the order given).
  using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
  /// A Functional model with named inputs and outputs (Keras's dict form); data and losses may use the names.
  Model(NamedTensors inputs, NamedTensors outputs, std::string name = {});
  ~Model() override;
  Model(Model&&) = delete;

  /// "Sequential", "Functional", or a subclass's own class name.
  std::string class_name() const override;

  /// Keras's compile: an optimizer, the loss(es), metrics, per-output loss weights, and
  /// weighted_metrics (updated with fit's and evaluate's sample weights, which plain metrics
  /// ignore), as objects or Keras's string names.
  void compile(Handle<Optimizer> optimizer, LossSpec loss, MetricSpec metrics = {}, LossWeights loss_weights = {},
               MetricSpec weighted_metrics = {});
  /// Whether compile() has run.
  bool compiled() const { return optimizer_ != nullptr; }
  /// Keras's compile_config: the optimizer's config and the loss, metrics and loss weights as
  /// compile() received them (names stay names, objects become their configs); null before
  /// compile().
  nlohmann::json get_compile_config() const;
  /// compile() from a compile_config written by Keras or Strata (load_model uses it), then
  /// the optimizer's slots built for the model's trainable weights, so a saved optimizer
  /// state can be loaded into them.
  void compile_from_config(const nlohmann::json& config);

  /// Trains on x (samples on the first axis) and y; returns the per-epoch logs.
  History fit(const Arrays& x, const Arrays& y, const FitOptions& options = {});
  /// Trains on the batches of a PyDataset (made on its workers while the step runs).
  History fit(PyDataset& data, const FitOptions& options = {});
  /// Trains on the batches a generator yields (see BatchGenerator for how epochs end).
  History fit(const BatchGenerator& data, const FitOptions& options = {});
  /// {"loss": ..., "<metric>": ...} over the whole of x and y.
  /// evaluate and predict give back the batch-sized buffers they used (the inference step's
  /// outputs and activations, the staged batches) when they return, so a call with a huge
  /// batch_size does not keep its memory; only fit keeps its buffers from step to step.
  Logs evaluate(const Arrays& x, const Arrays& y, const EvaluateOptions& options = {});
  /// evaluate over a PyDataset's batches.
  Logs evaluate(PyDataset& data, const EvaluateOptions& options = {});
  /// The model's output for x, in batches in inference mode (single-output models).
  xt::xarray<float> predict(const Arrays& x, const PredictOptions& options = {});
  /// Every output, in the order of outputs().
  std::vector<xt::xarray<float>> predict_outputs(const Arrays& x, const PredictOptions& options = {});
  /// predict over a PyDataset's batches (their `y` is ignored), concatenated.
  xt::xarray<float> predict(PyDataset& data, const PredictOptions& options = {});

  /// One optimizer step on exactly this batch; the logs of that batch alone.
  Logs train_on_batch(const Arrays& x, const Arrays& y);
  /// Loss and metrics of exactly this batch, no training.
  Logs test_on_batch(const Arrays& x, const Arrays& y);
  /// predict for one batch, with no batching and no progress bar.
  xt::xarray<float> predict_on_batch(const Arrays& x);

  /// Every weight, in layer order and Keras's order within a layer.
  std::vector<xt::xarray<float>> get_weights() const;
  /// Throws ValueError when the count or a shape differs.
  void set_weights(const std::vector<xt::xarray<float>>& weights);

  /// Keras's config of the model: a Functional model's layers and their connections
  /// ("layers", "input_layers", "output_layers"); a subclassed model's name and trainable flag
  /// (a subclass that takes arguments overrides this and adds them, as in Keras).
  nlohmann::json get_config() const override;
  /// Rebuilds a Functional model from its config (the "config" of a serialized Functional).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// Keras's model JSON ({"module", "class_name", "config", "registered_name",
  /// "build_config"}), which Python's `keras.models.model_from_json` reads; `indent` as
  /// nlohmann::json::dump (-1: one line).
  std::string to_json(int indent = -1) const;

  /// Saves the whole model: `.keras` writes Keras 3's archive (config, weights, compile
  /// configuration and optimizer state), `.h5` Keras 2's legacy HDF5 file. The file is written
  /// beside the target and renamed over it, so a failed save leaves an old file whole.
  void save(const std::string& path) const;
  /// Writes the weights (and, once compiled and trained, the optimizer's variables) to a
  /// `.weights.h5` file in Keras 3's layout, which Keras's `model.load_weights` reads.
  void save_weights(const std::string& path) const;
  /// Loads weights written by save_weights or by Keras (`.weights.h5`, or a legacy `.h5`);
  /// every layer's variables must be in the file with the shapes this model has. The
  /// optimizer's variables are loaded too when the model is compiled and the file has them.
  void load_weights(const std::string& path);

  /// The sublayers a subclassed model named with track(), in the order tracked.
  const std::vector<std::pair<std::string, Layer*>>& tracked_attributes() const { return attributes_; }

  /// Keras's summary table ("Connected to" column for Functional models that are not a
  /// chain). `line_length` 0: Keras's default for the terminal (see api/summary_table.hpp).
  void summary(std::ostream& out = std::cout, int line_length = 0) const;

  /// The layers: a Functional model's in graph order, input layers included; a Sequential's
  /// without its input layer; a subclassed model's in the order its call first used them.
  virtual std::vector<Layer*> layers() const;
  std::vector<Layer*> sublayers() const override { return layers(); }
  /// The layer named `name`; ValueError listing the names when there is none.
  Layer& get_layer(std::string_view name) const;
  /// The layer at `index` in layers(), as Keras's get_layer(index=...).
  Layer& get_layer(std::size_t index) const;

  /// The symbolic inputs and outputs of a Functional model (and of a built Sequential).
  const std::vector<Tensor>& inputs() const;
  /// The symbolic output tensors (Functional models and built subclasses).
  const std::vector<Tensor>& outputs() const;
  /// Input and output names: the input layers' names and the output layers' names.
  std::vector<std::string> input_names() const;
  /// The names of the outputs, as the logs and the loss and metric maps use them.
  std::vector<std::string> output_names() const;

  bool built() const override;
  /// Input and output shapes, batch axis None (built models only).
  std::vector<Shape> input_shapes() const;
  /// The shapes of every output, batch axis None.
  std::vector<Shape> output_shapes() const;
  /// The dtype each input takes (built models only): float32, or int32 where its Input said so.
  /// fit, evaluate and predict convert their float arrays to it (whole numbers only for int32).
  std::vector<DType> input_dtypes() const;
  /// The only input's / output's shape (ValueError for several).
  Shape input_shape() const;
  /// The shape of the single output, batch axis None.
  Shape output_shape() const;
  Shape compute_output_shape(const Shape& input_shape) const override;

  /// The compiled optimizer; StateError before compile.
  Optimizer& optimizer() const;
  /// Set by a callback to end fit after the current batch.
  bool stop_training = false;
  /// The compiled metrics with the log key each writes ("accuracy", or "cls_accuracy" with
  /// several outputs), in log order; empty until the outputs are known (compile on a built
  /// model, or the first data).
  std::vector<std::pair<std::string, std::shared_ptr<Metric>>> metrics() const;
  /// Internal (BackupAndRestore's): the running fit continues from this epoch, as Keras's
  /// `model._initial_epoch`; set during on_train_begin, cleared when fit ends.
  void resume_from_epoch(int epoch) { resume_epoch_ = epoch; }

  /// Internal (the trainer's): runs the model on a batch under the training or inference
  /// tape; the outputs stay valid until the next step of the same kind.
  std::span<const Tensor> run_step(std::span<const Tensor> inputs, bool training);
  /// Internal: backward of the last training step from dL/d output i = grads[i].
  void run_backward(std::span<const Tensor> grads);
  /// Internal: drops the inference tape's pooled buffers and the last step's outputs (the end
  /// of evaluate and predict).
  void release_inference_buffers();
  /// Internal: the number of the last training step's tape (see Variable::grad_step).
  std::uint32_t last_training_step() const;
  /// Internal: a Functional model's graph (null for Sequential and subclassed models).
  const detail::FunctionalGraph* graph() const { return graph_.get(); }

 protected:
  /// A subclassed model: the name given, or, as Keras names it, its class name in snake case
  /// ("simple_nn", "simple_nn_1", ...), settled at its first compile, build or summary.
  explicit Model(std::string name = {});
  /// For subclasses with a Keras prefix of their own ("sequential").
  Model(std::string_view prefix, std::string name);

  /// Runs the model's computation into `outputs` (cleared first). Default: one output,
  /// this layer called on the inputs. Functional runs its graph.
  virtual void call_outputs(std::span<const Tensor> inputs, bool training, std::vector<Tensor>& outputs);
  Tensor call(const Tensor& x, bool training) override;
  Tensor call(std::span<const Tensor> inputs, bool training) override;
  /// Shapes by a symbolic trace of call(): what a subclassed model's layers make of them.
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  /// Runs call() on symbolic placeholders of these shapes (and of declared_input_dtype's
  /// dtypes): builds the layers it uses and records the input and output shapes.
  void trace(std::span<const Shape> input_shapes);
  /// The dtype of input `index` when call() is traced: float32, unless an Input declared another.
  virtual DType declared_input_dtype(std::size_t index) const;
  /// Names `layer` as the Python attribute that holds it in the equivalent Keras subclass
  /// (`self.hidden = Dense(8)` in Python: `track("hidden", hidden)`), so weight files keep its
  /// variables where Keras does ("hidden/vars"). Keras files place a subclass's layers by
  /// attribute name, sorted, with a "layers" list among them: untracked sublayers go in that
  /// list ("layers/dense_1"), which is where Keras puts layers whose attribute names sort after
  /// "layers".
  void track(const std::string& attribute, Layer& layer);

 private:
  friend class Trainer;

  std::unique_ptr<detail::FunctionalGraph> graph_;     // Functional models only
  std::vector<std::string> input_keys_, output_keys_;  // names given by the dict form
  bool named_by_class_ = false;                        // a subclass given no name: named when its class is known
  void settle_name();
  std::vector<Shape> traced_input_shapes_, traced_output_shapes_;
  std::vector<DType> traced_input_dtypes_;
  std::vector<Tensor> step_outputs_;
  std::vector<Tensor> nested_outputs_;  // a Functional model called as a layer, reused each call
  std::unique_ptr<detail::Tape> train_tape_, infer_tape_;
  std::shared_ptr<Optimizer> optimizer_;
  std::unique_ptr<nlohmann::json> compile_config_;          // set by compile()
  std::vector<std::pair<std::string, Layer*>> attributes_;  // track()
  std::unique_ptr<class Trainer> trainer_;
  std::optional<int> resume_epoch_;  // resume_from_epoch()
};

}  // namespace strata
