#include "strata/input_spec.hpp"

#include "strata/error.hpp"

namespace strata {

void InputSpec::check(const Shape& shape, std::string_view layer_name) const {
  const auto prefix = [&] {
    return detail::concat("Input 0 of layer \"", layer_name, "\" is incompatible with the layer: ");
  };
  if (ndim && shape.rank() != *ndim)
    throw ShapeError(detail::concat(prefix(), "expected ndim=", *ndim, ", found ndim=", shape.rank(),
                                    ". Full shape received: ", shape.to_string()));
  if (min_ndim && shape.rank() < *min_ndim)
    throw ShapeError(detail::concat(prefix(), "expected min_ndim=", *min_ndim, ", found ndim=", shape.rank(),
                                    ". Full shape received: ", shape.to_string()));
  for (const auto& [axis, value] : axes) {
    const std::int64_t resolved = axis < 0 ? axis + static_cast<std::int64_t>(shape.rank()) : axis;
    const bool fits = resolved >= 0 && resolved < static_cast<std::int64_t>(shape.rank()) &&
                      (shape[resolved] == value || shape[resolved] == kNone);
    if (!fits)
      throw ShapeError(detail::concat(prefix(), "expected axis ", axis, " of input shape to have value ", value,
                                      ", but received input with shape ", shape.to_string()));
  }
}

}  // namespace strata
