#include "ext/build/driver.hpp"

#include "ext/build/cpp_driver.hpp"
#include "ext/build/custom_driver.hpp"
#include "ext/build/rust_driver.hpp"

namespace ext::build {

std::unique_ptr<Driver> make_driver(project::Language language) {
  switch (language) {
    case project::Language::cpp:
      return std::make_unique<CppDriver>();
    case project::Language::rust:
      return std::make_unique<RustDriver>();
    case project::Language::custom:
      return std::make_unique<CustomDriver>();
  }
  return nullptr;
}

}  // namespace ext::build
