#include "ext/oci/layout.hpp"

#include <nlohmann/json.hpp>

namespace ext::oci {

Result<LayoutHeader> LayoutHeader::parse(std::string_view bytes) {
  if (bytes.size() > 64 * 1024) return fail(Errc::parse, "oci-layout: file too large");
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::parse, "oci-layout: not a JSON object");
  auto it = j.find("imageLayoutVersion");
  if (it == j.end() || !it->is_string())
    return fail(Errc::parse, "oci-layout: missing \"imageLayoutVersion\"");
  LayoutHeader h;
  h.image_layout_version = it->get<std::string>();
  if (h.image_layout_version.rfind("1.", 0) != 0)
    return fail(Errc::unsupported,
                "oci-layout: image layout version " + h.image_layout_version + " is not supported");
  return h;
}

std::string LayoutHeader::serialize() const {
  return nlohmann::json{{"imageLayoutVersion", image_layout_version}}.dump();
}

}  // namespace ext::oci
