#pragma once
// The subclassed model of the saving goldens, as Python's strata_test>TwoLayerNet in
// tests/golden/make_saving_goldens.py: hidden (relu) then out, tracked under the attribute
// names Keras saves them by. register_two_layer_net() makes the class known to the loaders.

#include <memory>
#include <string>

#include "strata/strata.hpp"

namespace strata::testing {

class TwoLayerNet : public Model {
 public:
  explicit TwoLayerNet(std::int64_t units = 8, std::string name = {})
      : Model(std::move(name)), units_(units), hidden_(units, "relu"), out_(2) {
    track("hidden", hidden_);
    track("out", out_);
  }
  nlohmann::json get_config() const override {
    auto config = Model::get_config();
    config["units"] = units_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config) {
    return std::make_shared<TwoLayerNet>(config.at("units").get<std::int64_t>(), config.value("name", ""));
  }

 protected:
  Tensor call(const Tensor& x, bool) override { return out_(hidden_(x)); }

 private:
  std::int64_t units_;
  Dense hidden_, out_;
};

/// Registers TwoLayerNet as "strata_test>TwoLayerNet" (once per process).
inline void register_two_layer_net() {
  static const bool registered = [] {
    register_layer("strata_test>TwoLayerNet", &TwoLayerNet::from_config);
    return true;
  }();
  (void)registered;
}

}  // namespace strata::testing
