#include "ext/ops/remove.hpp"

#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/strings.hpp"

namespace ext::ops {

RemoveResult remove_images(const RemoveOptions& opts, Env& env) {
  std::vector<ref::Reference> refs;
  for (const auto& text : opts.refs) refs.push_back(ref::Reference::parse(text).value());
  store::OciLayoutStore s(env.store_root);
  RemoveResult result;
  std::vector<std::string> missing;
  for (size_t i = 0; i < refs.size(); ++i) {
    const auto& r = refs[i];
    std::vector<std::string> removed;
    if (r.digest() && r.tag().empty()) {
      std::string prefix = r.name();
      removed = s.remove_names_if([&](const store::ImageEntry& e) {
        if (e.manifest.digest != *r.digest()) return false;
        return e.name.size() > prefix.size() && e.name.compare(0, prefix.size(), prefix) == 0 &&
               (e.name[prefix.size()] == ':' || e.name[prefix.size()] == '@');
      });
    } else {
      auto by_tag = r.with_tag(r.tag());  // name:tag@digest removes the tag
      if (s.remove_name(by_tag)) removed.push_back(store::name_key(by_tag));
    }
    if (removed.empty()) missing.push_back(opts.refs[i]);
    // The verb prints the names (cli/cmd_rm.cpp): one place, stdout.
    for (auto& n : removed) result.removed.push_back(std::move(n));
  }
  if (!missing.empty())
    throw Error(Errc::not_found,
                "no image " + util::join(missing, ", ") + " in the local store" +
                    (result.removed.empty() ? "" : " (the others were removed)"),
                "`ext list` shows the stored images");
  return result;
}

}  // namespace ext::ops
