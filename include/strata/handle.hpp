#pragma once
/// Handle<Base>: how the API takes "an object or its Keras string name". `compile("adam", ...)`
/// and `compile(optimizers::Adam(1e-3), ...)` both reach the same shared_ptr<Optimizer>.

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace strata {

template <class Base>
class Handle {
 public:
  /// A Keras string name, resolved by `Base::from_name` (which throws ValueError listing the
  /// valid names for an unknown one).
  Handle(const char* name) : ptr_(Base::from_name(name)) {}
  Handle(const std::string& name) : ptr_(Base::from_name(name)) {}
  /// Any object of a class derived from Base, copied (or moved) into the handle.
  template <class T>
    requires std::derived_from<std::remove_cvref_t<T>, Base>
  Handle(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  Handle(std::shared_ptr<Base> object) : ptr_(std::move(object)) {}

  Base& operator*() const { return *ptr_; }
  Base* operator->() const { return ptr_.get(); }
  const std::shared_ptr<Base>& get() const { return ptr_; }

 private:
  std::shared_ptr<Base> ptr_;
};

}  // namespace strata
