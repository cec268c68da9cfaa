// ext list [--digests] — the images in the local store (docs/json.md "list").
#include <chrono>
#include <sstream>

#include "commands.hpp"
#include "ext/ops/list.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"

namespace ext::cli {
namespace {

std::string age(int64_t stored_unix) {
  if (stored_unix <= 0) return "-";
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  int64_t s = std::max<int64_t>(0, now - stored_unix);
  auto unit = [](int64_t n, const char* u) {
    return std::to_string(n) + " " + u + (n == 1 ? "" : "s") + " ago";
  };
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(s / 60, "minute");
  if (s < 86400) return unit(s / 3600, "hour");
  if (s < 86400 * 60) return unit(s / 86400, "day");
  return unit(s / (86400 * 30), "month");
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::ostringstream o;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    o << line << "\n";
  }
  return o.str();
}

void setup_list(CLI::App& app, Context& ctx) {
  auto digests = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("list", "List the images in the local store");
  examples(cmd,
           {"ext list", "ext list --digests", "ext --json list | jq -r '.images[].reference'"});
  cmd->alias("ls");
  cmd->add_flag("--digests", *digests, "Show full manifest digests");
  cmd->callback([digests, &ctx] {
    auto env = ctx.env();
    auto r = ops::list_images({}, env);
    nlohmann::json j = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows = {{"REFERENCE", "DIGEST", "ABI", "SIZE", "AGE"}};
    for (const auto& img : r.images) {
      nlohmann::json e = {
          {"reference", img.reference}, {"digest", img.digest}, {"media_type", img.media_type},
          {"abi", vocab::abi(img.abi)}, {"size", img.size},     {"stored", img.stored_unix}};
      if (!img.created.empty()) e["created"] = img.created;
      if (img.damaged) e["damaged"] = true;
      j.push_back(std::move(e));
      std::string digest = img.digest;
      if (!*digests && digest.size() > 19) digest = digest.substr(0, 19);
      rows.push_back({img.reference, digest, img.abi.empty() ? "-" : img.abi,
                      img.damaged ? "damaged" : util::human_size(img.size), age(img.stored_unix)});
    }
    ctx.emit("list", {{"images", j}}, table(rows));
  });
}

}  // namespace
EXT_COMMAND(list, 20, setup_list)
}  // namespace ext::cli
