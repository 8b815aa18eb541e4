#include "strata/model.hpp"

#include <cxxabi.h>

#include <cctype>
#include <cstdlib>
#include <typeinfo>

#include "api/engine/engine_state.hpp"
#include "api/engine/tape.hpp"
#include "api/functional_graph.hpp"
#include "api/saving/model_serialization.hpp"
#include "api/snake_case.hpp"
#include "api/summary_table.hpp"
#include "api/trainer.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor_host.hpp"

namespace strata {

// ---- Arrays -------------------------------------------------------------------------------

Arrays::Arrays(std::initializer_list<std::reference_wrapper<const Array>> list) {
  for (const auto& array : list) arrays_.push_back(&array.get());
}

Arrays::Arrays(const std::vector<Array>& list) {
  for (const auto& array : list) arrays_.push_back(&array);
}

Arrays::Arrays(std::initializer_list<std::pair<const std::string, std::reference_wrapper<const Array>>> by_name) {
  for (const auto& [name, array] : by_name) {
    names_.push_back(name);
    arrays_.push_back(&array.get());
  }
}

Arrays::Arrays(const std::map<std::string, Array>& by_name) {
  for (const auto& [name, array] : by_name) {
    names_.push_back(name);
    arrays_.push_back(&array);
  }
}

// ---- construction -------------------------------------------------------------------------

// The constructor of a subclass runs after this one, so the class name (and with it Keras's
// default name) is known only once the object is in use: settle_name() gives it then.
Model::Model(std::string name) : Model("model", name.empty() ? std::string("model") : name) {
  named_by_class_ = name.empty();
}

void Model::settle_name() {
  if (!named_by_class_) return;
  named_by_class_ = false;
  rename(unique_layer_name(detail::to_snake_case(class_name())));
}

Model::Model(std::string_view prefix, std::string name)
    : Layer(prefix, std::move(name)),
      train_tape_(std::make_unique<detail::Tape>()),
      infer_tape_(std::make_unique<detail::Tape>()),
      trainer_(std::make_unique<Trainer>(*this)) {}

Model::Model(std::vector<Tensor> inputs, std::vector<Tensor> outputs, std::string name)
    : Model("functional", std::move(name)) {
  graph_ = std::make_unique<detail::FunctionalGraph>(std::move(inputs), std::move(outputs), this->name());
  std::vector<Shape> shapes;
  for (const Tensor& input : graph_->inputs) shapes.push_back(input.shape());
  for (const Tensor& output : graph_->outputs) traced_output_shapes_.push_back(output.shape());
  traced_input_shapes_ = shapes;
  for (const Tensor& input : graph_->inputs) traced_input_dtypes_.push_back(input.dtype());
  Layer::build(shapes);
}

Model::Model(const Tensor& input, const Tensor& output, std::string name)
    : Model(std::vector<Tensor>{input}, std::vector<Tensor>{output}, std::move(name)) {}

Model::Model(std::vector<Tensor> inputs, const Tensor& output, std::string name)
    : Model(std::move(inputs), std::vector<Tensor>{output}, std::move(name)) {}

Model::Model(const Tensor& input, std::vector<Tensor> outputs, std::string name)
    : Model(std::vector<Tensor>{input}, std::move(outputs), std::move(name)) {}

namespace {

std::vector<Tensor> tensors_of(const Model::NamedTensors& named) {
  std::vector<Tensor> out;
  for (const auto& [key, tensor] : named) out.push_back(tensor);
  return out;
}

std::vector<std::string> keys_of(const Model::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [key, tensor] : named) {
    for (const auto& seen : out)
      STRATA_CHECK(seen != key, ValueError, "The name '", key, "' is given twice in a model's inputs or outputs.");
    out.push_back(key);
  }
  return out;
}

}  // namespace

Model::Model(NamedTensors inputs, NamedTensors outputs, std::string name)
    : Model(tensors_of(inputs), tensors_of(outputs), std::move(name)) {
  input_keys_ = keys_of(inputs);
  output_keys_ = keys_of(outputs);
}

Model::~Model() = default;

std::string Model::class_name() const {
  if (graph_) return "Functional";
  // A subclass's own name, without its namespaces, as Keras uses the Python class's name.
  int status = 0;
  char* demangled = abi::__cxa_demangle(typeid(*this).name(), nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : typeid(*this).name();
  std::free(demangled);
  const auto colon = full.rfind("::");
  return colon == std::string::npos ? full : full.substr(colon + 2);
}

// ---- structure ----------------------------------------------------------------------------

std::vector<Layer*> Model::layers() const {
  if (graph_) return graph_->layers;
  return Layer::sublayers();
}

Layer& Model::get_layer(std::string_view name) const {
  std::string known;
  for (Layer* layer : layers()) {
    if (layer->name() == name) return *layer;
    known += (known.empty() ? "" : ", ") + layer->name();
  }
  throw ValueError(detail::concat("No such layer: ", name, ". Existing layers are: [", known, "]."));
}

Layer& Model::get_layer(std::size_t index) const {
  const auto all = layers();
  STRATA_CHECK(index < all.size(), ValueError, "Was asked to retrieve layer at index ", index, " but model only has ",
               all.size(), " layers.");
  return *all[index];
}

const std::vector<Tensor>& Model::inputs() const {
  STRATA_CHECK(graph_ != nullptr, StateError, "Model \"", name(),
               "\" has no symbolic inputs: only Functional models do (build it from Input tensors).");
  return graph_->inputs;
}

const std::vector<Tensor>& Model::outputs() const {
  STRATA_CHECK(graph_ != nullptr, StateError, "Model \"", name(),
               "\" has no symbolic outputs: only Functional models do (build it from Input tensors).");
  return graph_->outputs;
}

std::vector<std::string> Model::input_names() const {
  if (!input_keys_.empty()) return input_keys_;
  std::vector<std::string> names;
  if (graph_) {
    for (const Tensor& input : graph_->inputs) names.push_back(input.node()->layer->name());
  } else {
    for (std::size_t i = 0; i < traced_input_shapes_.size(); ++i)
      names.push_back(traced_input_shapes_.size() == 1 ? std::string("input") : detail::concat("input_", i));
  }
  return names;
}

std::vector<std::string> Model::output_names() const {
  if (!output_keys_.empty()) return output_keys_;
  std::vector<std::string> names;
  if (graph_) {
    for (const Tensor& output : graph_->outputs) names.push_back(output.node()->layer->name());
  } else {
    const auto all = layers();
    for (std::size_t i = 0; i < traced_output_shapes_.size(); ++i)
      names.push_back(traced_output_shapes_.size() == 1 && !all.empty() ? all.back()->name()
                                                                        : detail::concat("output_", i));
  }
  return names;
}

bool Model::built() const {
  if (graph_) return true;
  if (!Layer::built()) return false;
  for (const Layer* layer : layers())
    if (!layer->built()) return false;
  return true;
}

void Model::build_weights_inputs(std::span<const Shape> input_shapes) {
  if (graph_) return;
  settle_name();
  trace(input_shapes);
}

void Model::trace(std::span<const Shape> input_shapes) {
  std::vector<Tensor> placeholders;
  std::vector<DType> dtypes;
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    dtypes.push_back(declared_input_dtype(i));
    placeholders.push_back(Tensor::symbolic(input_shapes[i].with_batch(kNone), nullptr, 0, dtypes.back()));
  }
  std::vector<Tensor> outputs;
  {
    const detail::EngineScope scope({.tape = nullptr, .training = false, .caller = this});
    call_outputs(placeholders, false, outputs);
  }
  traced_input_dtypes_ = std::move(dtypes);
  traced_input_shapes_.assign(input_shapes.begin(), input_shapes.end());
  for (auto& shape : traced_input_shapes_) shape = shape.with_batch(kNone);
  traced_output_shapes_.clear();
  for (const Tensor& output : outputs) {
    STRATA_CHECK(output.symbolic(), ValueError, "Model \"", name(),
                 "\": call() returned a tensor that was not computed from its inputs (a constant?); "
                 "compute the outputs from the inputs with layers and strata::ops.");
    traced_output_shapes_.push_back(output.shape().with_batch(kNone));
  }
}

std::vector<Shape> Model::input_shapes() const {
  STRATA_CHECK(!traced_input_shapes_.empty(), StateError, "Model \"", name(),
               "\" has no input shape yet: give it an Input first or call fit/build.");
  return traced_input_shapes_;
}

std::vector<DType> Model::input_dtypes() const {
  input_shapes();  // the same StateError before the model knows its inputs
  return traced_input_dtypes_;
}

DType Model::declared_input_dtype(std::size_t) const { return DType::F32; }

std::vector<Shape> Model::output_shapes() const {
  STRATA_CHECK(!traced_output_shapes_.empty(), StateError, "Model \"", name(),
               "\" has no output shape yet: give it an Input first or call fit/build.");
  return traced_output_shapes_;
}

Shape Model::input_shape() const {
  const auto shapes = input_shapes();
  STRATA_CHECK(shapes.size() == 1, ValueError, "Model \"", name(), "\" has ", shapes.size(),
               " inputs; use input_shapes().");
  return shapes[0];
}

Shape Model::output_shape() const {
  const auto shapes = output_shapes();
  STRATA_CHECK(shapes.size() == 1, ValueError, "Model \"", name(), "\" has ", shapes.size(),
               " outputs; use output_shapes().");
  return shapes[0];
}

Shape Model::compute_output_shape(const Shape& input_shape) const {
  if (traced_input_shapes_.size() == 1 && traced_input_shapes_[0] == input_shape.with_batch(kNone))
    return output_shape().with_batch(input_shape[0]);
  return const_cast<Model*>(this)->output_shape_for(std::span<const Shape>(&input_shape, 1));
}

void Model::track(const std::string& attribute, Layer& layer) {
  STRATA_CHECK(!attribute.empty() && attribute != "layers" && attribute != "vars" && attribute != "optimizer" &&
                   attribute.find('/') == std::string::npos,
               ValueError, "Model \"", name(), "\": '", attribute,
               "' cannot name a tracked layer (it must be a Python attribute name, not layers, vars or optimizer)");
  for (const auto& [name, tracked] : attributes_)
    STRATA_CHECK(name != attribute, ValueError, "Model \"", this->name(), "\" already tracks a layer as '", attribute,
                 "'");
  attributes_.emplace_back(attribute, &layer);
}

// ---- running ------------------------------------------------------------------------------

void Model::call_outputs(std::span<const Tensor> inputs, bool training, std::vector<Tensor>& outputs) {
  outputs.clear();
  if (graph_) {
    graph_->run(inputs, training, outputs);
    return;
  }
  outputs.push_back(call(inputs, training));
}

Tensor Model::call(const Tensor& x, bool training) {
  if (graph_) return call(std::span<const Tensor>(&x, 1), training);
  throw StateError(detail::concat("Model \"", name(), "\" (", class_name(),
                                  ") overrides no call(): a subclassed model defines `Tensor call(const Tensor& x, "
                                  "bool training) override` (or the std::span form for several inputs)."));
}

Tensor Model::call(std::span<const Tensor> inputs, bool training) {
  if (graph_) {
    STRATA_CHECK(graph_->outputs.size() == 1, ValueError, "Model \"", name(), "\" has ", graph_->outputs.size(),
                 " outputs; a model called as a layer must have one.");
    STRATA_CHECK(inputs.size() == graph_->inputs.size(), ValueError, "Model \"", name(), "\" expects ",
                 graph_->inputs.size(), " input(s), but it received ", inputs.size(), " input tensors.");
    nested_outputs_.clear();
    graph_->run(inputs, training, nested_outputs_);
    return nested_outputs_[0];
  }
  if (inputs.size() == 1) return call(inputs[0], training);
  throw StateError(detail::concat("Model \"", name(), "\" (", class_name(), ") was called on ", inputs.size(),
                                  " input(s) but overrides no matching call(): override `Tensor call(const Tensor& x, "
                                  "bool training)` or `Tensor call(std::span<const Tensor> inputs, bool training)`."));
}

std::span<const Tensor> Model::run_step(std::span<const Tensor> inputs, bool training) {
  if (!Layer::built()) {
    std::vector<Shape> shapes;
    for (const Tensor& input : inputs) shapes.push_back(input.shape());
    Layer::build(shapes);
  }
  detail::Tape& tape = training ? *train_tape_ : *infer_tape_;
  tape.begin();
  const detail::EngineScope scope({.tape = &tape, .training = training, .caller = this});
  call_outputs(inputs, training, step_outputs_);
  return step_outputs_;
}

void Model::run_backward(std::span<const Tensor> grads) { train_tape_->backward(step_outputs_, grads); }

void Model::release_inference_buffers() {
  infer_tape_ = std::make_unique<detail::Tape>();
  step_outputs_.clear();
}

std::uint32_t Model::last_training_step() const { return train_tape_->step(); }

// ---- compile and the training API -------------------------------------------------------

void Model::compile(Handle<Optimizer> optimizer, LossSpec loss, MetricSpec metrics, LossWeights loss_weights,
                    MetricSpec weighted_metrics) {
  settle_name();
  auto config = std::make_unique<nlohmann::json>(
      detail::compile_config_of(*optimizer, loss, metrics, loss_weights, weighted_metrics));
  trainer_->compile(std::move(loss), std::move(metrics), std::move(loss_weights), std::move(weighted_metrics));
  optimizer_ = optimizer.get();
  compile_config_ = std::move(config);
}

Optimizer& Model::optimizer() const {
  STRATA_CHECK(optimizer_ != nullptr, StateError, "You must call `compile()` before using the model.");
  return *optimizer_;
}

History Model::fit(const Arrays& x, const Arrays& y, const FitOptions& options) { return trainer_->fit(x, y, options); }

History Model::fit(PyDataset& data, const FitOptions& options) { return trainer_->fit(data, options); }

History Model::fit(const BatchGenerator& data, const FitOptions& options) { return trainer_->fit(data, options); }

Logs Model::evaluate(const Arrays& x, const Arrays& y, const EvaluateOptions& options) {
  return trainer_->evaluate(x, y, options);
}

Logs Model::evaluate(PyDataset& data, const EvaluateOptions& options) { return trainer_->evaluate(data, options); }

std::vector<xt::xarray<float>> Model::predict_outputs(const Arrays& x, const PredictOptions& options) {
  return trainer_->predict(x, options);
}

namespace {

xt::xarray<float> only_output(std::vector<xt::xarray<float>> outputs, const std::string& model) {
  STRATA_CHECK(outputs.size() == 1, ValueError, "Model \"", model, "\" has ", outputs.size(),
               " outputs: use predict_outputs() to get all of them.");
  return std::move(outputs[0]);
}

}  // namespace

xt::xarray<float> Model::predict(const Arrays& x, const PredictOptions& options) {
  return only_output(predict_outputs(x, options), name());
}

xt::xarray<float> Model::predict(PyDataset& data, const PredictOptions& options) {
  return only_output(trainer_->predict(data, options), name());
}

std::vector<std::pair<std::string, std::shared_ptr<Metric>>> Model::metrics() const { return trainer_->metrics(); }

Logs Model::train_on_batch(const Arrays& x, const Arrays& y) { return trainer_->train_on_batch(x, y); }

Logs Model::test_on_batch(const Arrays& x, const Arrays& y) { return trainer_->test_on_batch(x, y); }

xt::xarray<float> Model::predict_on_batch(const Arrays& x) {
  const auto n = x.size() && x[0].dimension() ? static_cast<int>(x[0].shape()[0]) : 0;
  return predict(x, {.batch_size = std::max(n, 1), .verbose = 0});
}

// ---- weights and summary ------------------------------------------------------------------

std::vector<xt::xarray<float>> Model::get_weights() const {
  std::vector<xt::xarray<float>> out;
  for (const Variable* v : weights()) out.push_back(to_host(v->value));
  return out;
}

void Model::set_weights(const std::vector<xt::xarray<float>>& values) {
  std::vector<Variable*> variables = weights();
  STRATA_CHECK(values.size() == variables.size(), ValueError, "You called `set_weights(weights)` on model \"", name(),
               "\" with a weight list of length ", values.size(), ", but the model was expecting ", variables.size(),
               " weights.");
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Shape given(std::vector<std::int64_t>(values[i].shape().begin(), values[i].shape().end()));
    STRATA_CHECK(given == variables[i]->value.shape(), ValueError, "Variable ", variables[i]->path, " has shape ",
                 variables[i]->value.shape().to_string(), " but set_weights received a value of shape ",
                 given.to_string());
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const xt::xarray<float> row_major = values[i];
    variables[i]->value.backend().upload(row_major.data(), variables[i]->value);
  }
}

}  // namespace strata
