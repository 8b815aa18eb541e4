#include "strata/layer.hpp"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/initializers.hpp"
#include "strata/random.hpp"

namespace strata {

std::string unique_layer_name(std::string_view prefix) {
  static std::mutex mutex;
  static std::map<std::string, int, std::less<>> counts;
  std::lock_guard lock(mutex);
  int& count = counts[std::string(prefix)];
  const int index = count++;
  return index == 0 ? std::string(prefix) : detail::concat(prefix, '_', index);
}

Layer::Layer(std::string_view prefix, std::string name)
    : name_(name.empty() ? unique_layer_name(prefix) : std::move(name)) {}

Backend& Layer::backend() const {
  STRATA_CHECK(backend_ != nullptr, StateError, "layer \"", name_, "\" is not built yet");
  return *backend_;
}

void Layer::build(const Shape& input_shape) {
  if (built_) {
    input_spec_.check(input_shape, name_);
    return;
  }
  input_spec_.check(input_shape, name_);
  backend_ = &current_backend();
  build_input_shape_ = input_shape.with_batch(kNone);
  build_weights(build_input_shape_);
  built_ = true;
}

void Layer::build_weights(const Shape&) {}

Shape Layer::compute_output_shape(const Shape& input_shape) const { return input_shape; }

Tensor Layer::call(const Tensor& x, bool training) {
  if (!built_) build(x.shape());
  input_spec_.check(x.shape(), name_);
  return forward(x, training);
}

Tensor Layer::backward(const Tensor& dy, bool need_input_grad) { return backward_impl(dy, need_input_grad); }

Variable& Layer::add_weight(std::string name, const Shape& shape, const Initializer& initializer,
                            bool trainable) {
  auto variable = std::make_shared<Variable>();
  variable->path = name_ + "/" + name;
  variable->name = std::move(name);
  variable->trainable = trainable;
  std::vector<float> host(static_cast<std::size_t>(shape.num_elements()));
  initializer.sample(shape, host, detail::global_rng());
  variable->value = Tensor(*backend_, shape);
  backend_->upload(host.data(), variable->value);
  if (trainable) variable->grad = Tensor(*backend_, shape);
  weights_.push_back(variable);
  return *variable;
}

Tensor& Layer::buffer(std::size_t slot, const Shape& shape) {
  if (buffers_.size() <= slot) buffers_.resize(slot + 1);
  return reuse_or_allocate(buffers_[slot], backend(), shape);
}

std::vector<Variable*> Layer::weights() {
  std::vector<Variable*> out = trainable_weights();
  for (Variable* v : non_trainable_weights()) out.push_back(v);
  return out;
}

std::vector<const Variable*> Layer::weights() const {
  std::vector<const Variable*> out;
  for (const auto& v : const_cast<Layer*>(this)->weights()) out.push_back(v);
  return out;
}

std::vector<Variable*> Layer::trainable_weights() {
  std::vector<Variable*> out;
  if (!trainable_) return out;
  for (auto& v : weights_)
    if (v->trainable) out.push_back(v.get());
  return out;
}

std::vector<Variable*> Layer::non_trainable_weights() {
  std::vector<Variable*> out;
  for (auto& v : weights_)
    if (!trainable_ || !v->trainable) out.push_back(v.get());
  return out;
}

bool Layer::has_trainable_weights() const {
  if (!trainable_) return false;
  for (const auto& v : weights_)
    if (v->trainable) return true;
  return false;
}

std::int64_t Layer::count_params() const {
  std::int64_t n = 0;
  for (const auto& v : weights_) n += v->value.size();
  return n;
}

nlohmann::json Layer::get_config() const {
  return {{"name", name_},
          {"trainable", trainable_},
          {"dtype",
           {{"module", "keras"},
            {"class_name", "DTypePolicy"},
            {"config", {{"name", "float32"}}},
            {"registered_name", nullptr}}}};
}

nlohmann::json Layer::get_build_config() const {
  if (!built_) return nullptr;
  nlohmann::json shape = nlohmann::json::array();
  for (auto d : build_input_shape_.dims()) shape.push_back(d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d));
  return {{"input_shape", shape}};
}

void Layer::read_base_config(const nlohmann::json& config) {
  if (config.contains("name") && config["name"].is_string()) name_ = config["name"].get<std::string>();
  if (config.contains("trainable")) trainable_ = config["trainable"].get<bool>();
}

}  // namespace strata
