#include "api/saving/weights_store.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "api/saving/hdf5_file.hpp"
#include "api/snake_case.hpp"
#include "strata/error.hpp"
#include "strata/sequential.hpp"
#include "strata/tensor_host.hpp"

namespace strata::detail {

namespace {

std::string join(const std::string& path, const std::string& child) {
  if (child.empty()) return path;
  return path.empty() ? child : path + "/" + child;
}

void walk(Layer& layer, const std::string& path, std::set<const Layer*>& visited, std::vector<SaveablePath>& out);

// saving_lib._save_container_state: children named by snake_case class name, the counter
// moving even for a layer already visited.
void walk_container(const std::vector<Layer*>& children, const std::string& path, std::set<const Layer*>& visited,
                    std::vector<SaveablePath>& out) {
  std::map<std::string, int> used;
  for (Layer* child : children) {
    std::string name = to_snake_case(child->class_name());
    const auto [it, fresh] = used.emplace(name, 0);
    if (!fresh) name += "_" + std::to_string(++it->second);
    walk(*child, join(path, name), visited, out);
  }
}

void walk(Layer& layer, const std::string& path, std::set<const Layer*>& visited, std::vector<SaveablePath>& out) {
  if (!visited.insert(&layer).second) return;
  for (auto& [below, variables] : layer.saved_variable_groups())
    out.push_back({join(path, below), &layer, std::move(variables)});
  auto* model = dynamic_cast<Model*>(&layer);
  if (model != nullptr && (model->graph() != nullptr || dynamic_cast<Sequential*>(model) != nullptr)) {
    walk_container(model->layers(), join(path, "layers"), visited, out);
    return;
  }
  if (model != nullptr) {
    // A subclass: saving_lib._walk_saveable visits its attributes in sorted order, the
    // "layers" list (every sublayer) among them; tracked layers are the named attributes.
    std::vector<std::pair<std::string, Layer*>> attributes = model->tracked_attributes();
    attributes.emplace_back("layers", nullptr);
    // saving_lib._name_key: private attributes ("_x") sort last.
    const auto key = [](const std::string& name) { return name.starts_with('_') ? "~" + name : name; };
    std::sort(attributes.begin(), attributes.end(),
              [&](const auto& a, const auto& b) { return key(a.first) < key(b.first); });
    for (const auto& [attribute, child] : attributes) {
      if (child != nullptr)
        walk(*child, join(path, attribute), visited, out);
      else
        walk_container(model->layers(), join(path, "layers"), visited, out);
    }
    return;
  }
  for (const auto& [attribute, child] : layer.saved_children()) walk(*child, join(path, attribute), visited, out);
}

// Keras 2.13-2.15 wrote "_layer_checkpoint_dependencies" where Keras 3 writes "layers".
std::string in_file(const H5Reader& file, const std::string& group) {
  if (file.has_group(group) || !file.has_group("_layer_checkpoint_dependencies")) return group;
  std::string legacy = group;
  for (std::size_t at = legacy.find("layers/"); at != std::string::npos; at = legacy.find("layers/", at)) {
    if (at == 0 || legacy[at - 1] == '/') {
      legacy.replace(at, 6, "_layer_checkpoint_dependencies");
      at += 30;
    } else {
      at += 7;
    }
  }
  return legacy;
}

std::string names_text(const std::vector<Variable*>& variables) {
  std::string out;
  for (const Variable* v : variables) out += (out.empty() ? "'" : ", '") + v->name + "'";
  return "[" + out + "]";
}

// A variable's stored values. Keras keeps a few counters as integer scalars (Normalization's
// count, an int32 it never updates); they are read as their integer value.
std::vector<float> read_variable(const H5Reader& file, const std::string& path, const std::vector<std::int64_t>& dims) {
  if (dims.empty()) {
    const H5DatasetInfo info = file.dataset_info(path);
    if (info.shape.empty() && (info.type == H5Type::int32 || info.type == H5Type::int64))
      return {static_cast<float>(file.read_int_scalar(path))};
  }
  return file.read_float(path, dims);
}

}  // namespace

std::vector<std::int64_t> dims_of(const Tensor& tensor) {
  const auto dims = tensor.shape().dims();
  return {dims.begin(), dims.end()};
}

void read_optimizer_state(Optimizer& optimizer, const H5Reader& file, const std::vector<std::string>& paths,
                          PendingLoad& load) {
  const auto slots = optimizer.variables();
  // iteration, then learning_rate unless a schedule drives it (Keras has no variable for one).
  const std::size_t counters = optimizer.learning_rate_schedule() ? 1 : 2;
  const std::size_t own = slots.size() + counters;
  if (paths.size() != own && paths.size() != counters) {
    std::cerr << "WARNING: Skipping variable loading for optimizer '" << optimizer.name() << "', because it has " << own
              << " variables whereas the saved optimizer has " << paths.size() << " variables.\n";
    return;
  }
  load.iterations = file.read_int_scalar(paths[0]);
  if (counters == 2) load.learning_rate = file.read_float(paths[1], {})[0];
  if (paths.size() != own) return;
  // The slots are the optimizer's own variables; loading writes their values.
  for (std::size_t i = 0; i < slots.size(); ++i)
    load.values.emplace_back(const_cast<Variable*>(slots[i]),
                             file.read_float(paths[i + counters], dims_of(slots[i]->value)));
}

void PendingLoad::apply(Model& model) {
  for (auto& [variable, data] : values) variable->value.backend().upload(data.data(), variable->value);
  if (iterations) model.optimizer().set_iterations(*iterations);
  if (learning_rate) model.optimizer().set_learning_rate(*learning_rate);
}

std::vector<SaveablePath> saveable_paths(Model& model) {
  std::vector<SaveablePath> out;
  std::set<const Layer*> visited;
  walk(model, "", visited, out);
  return out;
}

void write_weights(Model& model, H5Writer& file) {
  for (const SaveablePath& saveable : saveable_paths(model)) {
    const std::string vars = join(saveable.path, "vars");
    file.create_group(vars);
    file.write_string_attribute(vars, "name", saveable.layer->name());
    const auto& variables = saveable.variables;
    for (std::size_t i = 0; i < variables.size(); ++i) {
      const xt::xarray<float> value = to_host(variables[i]->value);
      file.write_float32(vars + "/" + std::to_string(i), dims_of(variables[i]->value),
                         std::span<const float>(value.data(), value.size()));
    }
  }
  if (!model.compiled()) return;
  // optimizer.variables: iteration, learning_rate (absent under a schedule), then the slots in
  // Keras's order.
  const Optimizer& optimizer = model.optimizer();
  file.create_group("optimizer/vars");
  file.write_string_attribute("optimizer/vars", "name", optimizer.name());
  file.write_int64_scalar("optimizer/vars/0", optimizer.apply_count());
  std::size_t counters = 1;
  if (!optimizer.learning_rate_schedule()) {
    const float learning_rate = static_cast<float>(optimizer.learning_rate());
    file.write_float32("optimizer/vars/1", {}, std::span<const float>(&learning_rate, 1));
    counters = 2;
  }
  const auto slots = optimizer.variables();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const xt::xarray<float> value = to_host(slots[i]->value);
    file.write_float32("optimizer/vars/" + std::to_string(i + counters), dims_of(slots[i]->value),
                       std::span<const float>(value.data(), value.size()));
  }
}

void read_weights(Model& model, const H5Reader& file) {
  // Everything is read and checked before any variable changes, so a bad file leaves the
  // model as it was.
  PendingLoad load;
  for (const SaveablePath& saveable : saveable_paths(model)) {
    const auto& variables = saveable.variables;
    const std::string vars = in_file(file, join(saveable.path, "vars"));
    const std::size_t found = file.has_group(vars) ? file.children(vars).size() : 0;
    STRATA_CHECK(found == variables.size(), ValueError, "Layer '", saveable.layer->name(), "' expected ",
                 variables.size(), " variables, but received ", found, " variables during loading (at \"/", vars,
                 "\"). Expected: ", names_text(variables));
    for (std::size_t i = 0; i < variables.size(); ++i)
      load.values.emplace_back(variables[i],
                               read_variable(file, vars + "/" + std::to_string(i), dims_of(variables[i]->value)));
  }

  if (model.compiled() && file.has_group("optimizer/vars")) {
    Optimizer& optimizer = model.optimizer();
    if (model.built()) optimizer.build(model.trainable_weights());
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < file.children("optimizer/vars").size(); ++i)
      paths.push_back("optimizer/vars/" + std::to_string(i));
    read_optimizer_state(optimizer, file, paths, load);
  }
  load.apply(model);
}

}  // namespace strata::detail
