#pragma once
/// @class strata::Handle
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
  Handle(const char* name) : ptr_(Base::from_name(name)), spelling_(name) {}
  /// The object Keras's name makes, as Handle(const char*).
  Handle(const std::string& name) : ptr_(Base::from_name(name)), spelling_(name) {}
  /// Any object of a class derived from Base, copied (or moved) into the handle.
  template <class T>
  requires std::derived_from<std::remove_cvref_t<T>, Base> Handle(T&& object)
      : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(object))) {}
  /// An object the caller already shares.
  Handle(std::shared_ptr<Base> object) : ptr_(std::move(object)) {}

  /// The object.
  Base& operator*() const { return *ptr_; }
  /// Member access on the object.
  Base* operator->() const { return ptr_.get(); }
  /// The shared object.
  const std::shared_ptr<Base>& get() const { return ptr_; }
  /// The string name the handle was made from ("accuracy"), empty for an object: a compile
  /// config records what the user wrote, as Keras's does.
  const std::string& spelling() const { return spelling_; }

 private:
  std::shared_ptr<Base> ptr_;
  std::string spelling_;
};

}  // namespace strata
