#include "strata/activation.hpp"

#include <array>
#include <utility>

#include "strata/error.hpp"

namespace strata {

namespace {
struct NamedActivation {
  std::string_view name;
  ActivationFunction activation;
};

// Keras's string names with the parameters its functions default to.
constexpr std::array kActivations = {
    NamedActivation{"linear", {ActivationKind::Linear, 0.f}},
    NamedActivation{"relu", {ActivationKind::Relu, 0.f}},
    NamedActivation{"sigmoid", {ActivationKind::Sigmoid, 0.f}},
    NamedActivation{"tanh", {ActivationKind::Tanh, 0.f}},
    NamedActivation{"softmax", {ActivationKind::Softmax, 0.f}},
    NamedActivation{"elu", {ActivationKind::Elu, 1.f}},
    NamedActivation{"selu", {ActivationKind::Selu, 0.f}},
    NamedActivation{"gelu", {ActivationKind::Gelu, 0.f}},
    NamedActivation{"leaky_relu", {ActivationKind::LeakyRelu, 0.2f}},
    NamedActivation{"softplus", {ActivationKind::Softplus, 0.f}},
    NamedActivation{"swish", {ActivationKind::Swish, 0.f}},
    NamedActivation{"silu", {ActivationKind::Swish, 0.f}},
};
}  // namespace

ActivationFunction ActivationFunction::from_name(std::string_view name) {
  if (name.empty() || name == "None") return {};
  for (const auto& entry : kActivations)
    if (entry.name == name) return entry.activation;
  std::string valid;
  for (const auto& entry : kActivations) valid += (valid.empty() ? "" : ", ") + std::string(entry.name);
  // Keras's words, then the names Strata knows.
  throw ValueError(
      detail::concat("Could not interpret activation function identifier: ", name, ". Valid names are: ", valid));
}

std::string ActivationFunction::name() const {
  for (const auto& entry : kActivations)
    if (entry.activation.kind == kind) return std::string(entry.name);
  return "linear";
}

bool ActivationFunction::backward_from_output() const {
  switch (kind) {
    case ActivationKind::Gelu:
    case ActivationKind::Swish: return false;
    // LeakyRelu reads the sign of y, which matches that of x for a positive slope.
    case ActivationKind::LeakyRelu: return alpha > 0.f;
    // A shifted threshold or a negative slope makes y ambiguous about which piece x was on.
    case ActivationKind::Relu: return threshold == 0.f && alpha >= 0.f;
    default: return true;
  }
}

std::vector<std::string> ActivationFunction::names() {
  std::vector<std::string> out;
  for (const auto& entry : kActivations) out.emplace_back(entry.name);
  return out;
}

}  // namespace strata
