#include "api/saving/legacy_h5.hpp"

#include <nlohmann/json.hpp>

#include "api/saving/hdf5_file.hpp"
#include "api/saving/hdf5_probe.hpp"
#include "api/saving/model_serialization.hpp"
#include "api/saving/weights_store.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"
#include "strata/tensor_host.hpp"
#include "strata/version.hpp"

namespace strata::detail {

namespace {

// Keras's _legacy_weights: trainable then non-trainable, a nested model's flattened.
std::vector<Variable*> legacy_weights(Layer& layer) {
  std::vector<Variable*> out = layer.trainable_weights();
  for (Variable* v : layer.non_trainable_weights()) out.push_back(v);
  return out;
}

void write_variable(H5Writer& file, const std::string& path, const Variable& v) {
  const xt::xarray<float> value = to_host(v.value);
  file.write_float32(path, dims_of(v.value), std::span<const float>(value.data(), value.size()));
}

// Keras 2's training_config spells the optimizer "optimizer_config"; the rest is a compile_config.
nlohmann::json compile_config_from_training_config(nlohmann::json training) {
  if (training.contains("optimizer_config")) {
    training["optimizer"] = training["optimizer_config"];
    training.erase("optimizer_config");
  }
  return training;
}

}  // namespace

std::vector<std::byte> write_legacy_h5(Model& model) {
  STRATA_CHECK(model.graph() != nullptr || dynamic_cast<Sequential*>(&model) != nullptr, ValueError, "Model \"",
               model.name(),
               "\" is a subclassed model; the legacy .h5 format holds only Sequential and Functional "
               "models. Save it as `.keras` instead.");
  H5Writer file("legacy .h5 of model " + model.name());
  file.create_group("model_weights");
  file.write_string_attribute("/", "keras_version", "3.15.1");
  file.write_string_attribute("/", "backend", "strata");
  file.write_string_attribute(
      "/", "model_config", nlohmann::json{{"class_name", model.class_name()}, {"config", model.get_config()}}.dump());
  if (model.compiled()) {
    nlohmann::json training = model.get_compile_config();
    training["optimizer_config"] = {{"class_name", model.optimizer().class_name()},
                                    {"config", model.optimizer().get_config()}};
    training.erase("optimizer");
    file.write_string_attribute("/", "training_config", training.dump());
  }

  std::vector<std::string> layer_names;
  for (Layer* layer : model.layers()) {
    layer_names.push_back(layer->name());
    const std::string group = "model_weights/" + layer->name();
    file.create_group(group);
    std::vector<std::string> weight_names;
    for (const Variable* v : legacy_weights(*layer)) {
      weight_names.push_back(v->path);
      write_variable(file, group + "/" + v->path, *v);
    }
    file.write_string_list_attribute(group, "weight_names", weight_names);
  }
  file.create_group("model_weights/top_level_model_weights");
  file.write_string_list_attribute("model_weights/top_level_model_weights", "weight_names", {});
  file.write_string_list_attribute("model_weights", "layer_names", layer_names);
  file.write_string_attribute("model_weights", "backend", "strata");
  file.write_string_attribute("model_weights", "keras_version", "3.15.1");

  if (model.compiled() && model.optimizer().built()) {
    const Optimizer& optimizer = model.optimizer();
    const std::string group = "optimizer_weights/" + optimizer.name();
    file.create_group(group);
    std::vector<std::string> names = {optimizer.name() + "/iteration"};
    file.write_int64_scalar(group + "/iteration", optimizer.apply_count());
    // A schedule has no learning_rate variable in Keras.
    if (!optimizer.learning_rate_schedule()) {
      names.push_back(optimizer.name() + "/learning_rate");
      const float learning_rate = static_cast<float>(optimizer.learning_rate());
      file.write_float32(group + "/learning_rate", {}, std::span<const float>(&learning_rate, 1));
    }
    for (const Variable* slot : optimizer.variables()) {
      names.push_back(slot->path);
      write_variable(file, "optimizer_weights/" + slot->path, *slot);
    }
    file.write_string_list_attribute("optimizer_weights", "weight_names", names);
  }
  return file.finish();
}

// Keras's load_weights_from_hdf5_group: the saved layers that have weights are matched, in
// order, with the model's layers that have weights, and each one's values follow its
// weight_names attribute.
void read_legacy_weights(Model& model, const H5Reader& file) {
  const std::string root = file.has_group("model_weights") ? "model_weights" : "/";
  const auto saved_names = file.string_list_attribute(root, "layer_names");
  STRATA_CHECK(saved_names.has_value(), ValueError, "the file has no layer_names attribute on ", root,
               ", so it is not a Keras weights file");
  std::vector<std::pair<std::string, std::vector<std::string>>> saved;
  for (const std::string& name : *saved_names) {
    const std::string group = root == "/" ? name : root + "/" + name;
    STRATA_CHECK(file.has_group(group), ValueError, "layer_names lists '", name, "' but the file has no group ", group);
    auto weight_names = file.string_list_attribute(group, "weight_names").value_or(std::vector<std::string>{});
    if (!weight_names.empty()) saved.emplace_back(group, std::move(weight_names));
  }
  std::vector<Layer*> layers;
  for (Layer* layer : model.layers())
    if (!legacy_weights(*layer).empty()) layers.push_back(layer);
  STRATA_CHECK(layers.size() == saved.size(), ValueError,
               "Layer count mismatch when loading weights from file. Model expected ", layers.size(), " layers, found ",
               saved.size(), " saved layers.");

  PendingLoad load;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto variables = legacy_weights(*layers[k]);
    const auto& [group, names] = saved[k];
    STRATA_CHECK(variables.size() == names.size(), ValueError, "Layer '", layers[k]->name(), "' expected ",
                 variables.size(), " weights, but the saved weights (", group, ") have ", names.size(), " elements.");
    for (std::size_t i = 0; i < variables.size(); ++i)
      load.values.emplace_back(variables[i], file.read_float(group + "/" + names[i], dims_of(variables[i]->value)));
  }

  if (model.compiled() && file.has_group("optimizer_weights")) {
    Optimizer& optimizer = model.optimizer();
    optimizer.build(model.trainable_weights());
    std::vector<std::string> paths;
    for (const std::string& name :
         file.string_list_attribute("optimizer_weights", "weight_names").value_or(std::vector<std::string>{}))
      paths.push_back("optimizer_weights/" + name);
    read_optimizer_state(optimizer, file, paths, load);
  }
  load.apply(model);
}

std::shared_ptr<Model> read_legacy_h5(std::span<const std::byte> bytes, const std::string& name, bool compile) {
  const H5Reader file = open_untrusted_h5(bytes, name);
  const auto config_text = file.string_attribute("/", "model_config");
  STRATA_CHECK(config_text.has_value(), ValueError, name,
               ": no model found in config file (the file has no model_config attribute; a weights-only .h5 "
               "loads with load_weights)");
  const std::string source = name + " (model_config)";
  std::shared_ptr<Model> model = model_from_config(parse_json(*config_text, source), source);
  if (compile) {
    if (const auto training = file.string_attribute("/", "training_config")) {
      try {
        model->compile_from_config(
            compile_config_from_training_config(parse_json(*training, name + " (training_config)")));
      } catch (const ValueError& e) {
        throw ValueError(concat(name, " (training_config): ", e.what()));
      }
    }
  }
  try {
    read_legacy_weights(*model, file);
  } catch (const ValueError& e) {
    throw ValueError(concat(name, ": ", e.what()));
  }
  return model;
}

}  // namespace strata::detail
