#pragma once
// REQUIRE_THROWS_MATCHES(expr, Type, MessageContains("...")): the exception's type and a part of
// its message at once (Catch2 v2 has Message for the whole message only).

#include <catch2/catch.hpp>
#include <exception>
#include <string>

namespace strata::testing {

class MessageContains : public Catch::MatcherBase<std::exception> {
 public:
  explicit MessageContains(std::string part) : part_(std::move(part)) {}
  bool match(const std::exception& e) const override { return std::string(e.what()).find(part_) != std::string::npos; }
  std::string describe() const override { return "message contains \"" + part_ + "\""; }

 private:
  std::string part_;
};

}  // namespace strata::testing
