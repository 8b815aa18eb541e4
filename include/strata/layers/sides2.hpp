#pragma once
/// @class strata::layers::Sides2
/// Sides2: the `padding` of ZeroPadding2D and the `cropping` of Cropping2D. Keras takes one int
/// for all four sides, a pair (symmetric_height, symmetric_width) or a pair of pairs
/// ((top, bottom), (left, right)); so does Sides2:
///
///     ZeroPadding2D(1);  ZeroPadding2D({1, 2});  Cropping2D({{1, 0}, {2, 3}});
///
/// Values are checked by the layer that takes them, with Keras's messages.

#include <cstdint>
#include <utility>

namespace strata {
inline namespace layers {

struct Sides2 {
  /// @{
  /// Rows (top, bottom) or columns (left, right) on that side.
  std::int64_t top = 0, bottom = 0, left = 0, right = 0;
  /// @}

  /// The same amount on all four sides.
  constexpr Sides2(std::int64_t all) : top(all), bottom(all), left(all), right(all) {}
  /// top = bottom = height, left = right = width.
  constexpr Sides2(std::int64_t height, std::int64_t width) : top(height), bottom(height), left(width), right(width) {}
  /// {{top, bottom}, {left, right}}.
  constexpr Sides2(std::pair<std::int64_t, std::int64_t> top_bottom, std::pair<std::int64_t, std::int64_t> left_right)
      : top(top_bottom.first), bottom(top_bottom.second), left(left_right.first), right(left_right.second) {}

  /// The same amount on every side.
  friend constexpr bool operator==(const Sides2&, const Sides2&) = default;
};

}  // namespace layers
}  // namespace strata
