// ext::core — Result<T>: the value of a parser or validator, or the Error saying why not.
// It is tl::expected<T, Error> (Debian's libexpected-dev, tl/expected.hpp) with checked access:
// value(), operator* and operator-> throw the Error itself (not tl::bad_expected_access), so a
// Result can be used as a throwing call and cli/main.cpp's single catch reports it.
#pragma once

#include <tl/expected.hpp>

#include <optional>  // many users take std::optional with Result
#include <string>
#include <type_traits>
#include <utility>

#include "ext/core/error.hpp"

namespace ext {

// The failure side: `return ext::fail(Errc::parse, "bad tag");`
struct Unexpected {
  Error error;
};

inline Unexpected fail(Error e) {
  return Unexpected{std::move(e)};
}
inline Unexpected fail(Errc code, std::string message, std::string hint = {}) {
  return Unexpected{Error(code, std::move(message), std::move(hint))};
}

template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
  using Base = tl::expected<T, Error>;

 public:
  using value_type = T;
  using Base::Base;
  Result(Unexpected u) : Base(tl::unexpect, std::move(u.error)) {}  // NOLINT

  T& value() & {
    check();
    return Base::operator*();
  }
  const T& value() const& {
    check();
    return Base::operator*();
  }
  T&& value() && {
    check();
    return std::move(Base::operator*());
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!this->has_value()) throw this->error();
  }
};

template <>
class [[nodiscard]] Result<void> : public tl::expected<void, Error> {
  using Base = tl::expected<void, Error>;

 public:
  using Base::Base;
  Result(Unexpected u) : Base(tl::unexpect, std::move(u.error)) {}  // NOLINT
  void value() const {
    if (!has_value()) throw error();
  }
};

// The value, or the Error thrown (with `context` prepended when given): for code that reports
// failures by exception (ops), the one place that turns a Result into a throw.
template <class T>
T value_or_throw(Result<T> r, const std::string& context = {}) {
  if (!r) throw context.empty() ? r.error() : r.error().with_context(context);
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

}  // namespace ext
