// ext::core — Result<T>: the value of a parser or validator, or the Error saying why not.
// Modelled on std::expected / tl::expected (the same member names), written here because
// tl-expected is not packaged by Debian 12 and GCC 12 offers std::expected only in C++23 mode.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "ext/core/error.hpp"

namespace ext {

// The failure side, as in std::unexpected: `return ext::fail(Errc::parse, "bad tag");`
struct Unexpected {
  Error error;
};

inline Unexpected fail(Error e) { return Unexpected{std::move(e)}; }
inline Unexpected fail(Errc code, std::string message, std::string hint = {}) {
  return Unexpected{Error(code, std::move(message), std::move(hint))};
}

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  template <class U = T,
            class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                     !std::is_same_v<std::decay_t<U>, Result> &&
                                     !std::is_same_v<std::decay_t<U>, Unexpected>>>
  Result(U&& value) : m_v(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  Result(Unexpected u) : m_v(std::in_place_index<1>, std::move(u.error)) {}   // NOLINT

  bool has_value() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  // value() throws the Error when there is none: parsers can be used as throwing calls.
  T& value() & { check(); return std::get<0>(m_v); }
  const T& value() const& { check(); return std::get<0>(m_v); }
  T&& value() && { check(); return std::get<0>(std::move(m_v)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(m_v); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(m_v) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void check() const {
    if (!has_value()) throw std::get<1>(m_v);
  }
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : m_error(std::move(u.error)) {}  // NOLINT

  bool has_value() const noexcept { return !m_error.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (m_error) throw *m_error;
  }
  const Error& error() const& { return *m_error; }

 private:
  std::optional<Error> m_error;
};

}  // namespace ext
