#pragma once
// Keras's to_snake_case (keras/src/utils/naming.py): the default name of a model subclass, and
// the path component of a layer inside a weights file ("MaxPooling2D" -> "max_pooling2d").

#include <string>

namespace strata::detail {

/// "SimpleNN" -> "simple_nn", "MyModel2" -> "my_model2", "ReLU" -> "re_lu".
std::string to_snake_case(const std::string& name);

}  // namespace strata::detail
