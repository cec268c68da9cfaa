// ext::yaml — the one owner of yaml-cpp: YAML text -> nlohmann::ordered_json, with the
// file:line:col of every value and key, under limits on size, depth, node count and alias
// expansion (YAML files come from repositories ext did not write: a 1 KB "billion laughs"
// alias bomb reached 16.5 GB before these limits, issue 11). Reads yaml-cpp's event stream and
// builds the JSON itself, without recursion, so no document depth reaches the C++ stack.
//
// Scalars (YAML 1.2 core schema, as JSON spells it): a plain `true`/`false` (also True, TRUE...)
// is a boolean, a plain `null`/`~`/empty value is null, a plain scalar that is a JSON number is
// a number; every quoted, tagged or other scalar is a string. Mapping keys must be scalars and
// unique. One document per text. Owns: YAML parsing. yaml-cpp only in the .cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::yaml {

struct Limits {
  size_t max_bytes = 4u << 20;       // the text
  size_t max_depth = 100;            // nested mappings/sequences
  size_t max_nodes = 1'000'000;      // values in the result, alias copies included
  size_t max_alias_nodes = 100'000;  // values copied by anchors and aliases together
};

// 1-based, as editors count; 0 when unknown.
struct Mark {
  int line = 0;
  int column = 0;
};

using Pointer = nlohmann::ordered_json::json_pointer;

class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;

  const nlohmann::ordered_json& root() const { return m_root; }
  const std::string& label() const { return m_label; }

  // The value at `p`, nullptr when absent. Lookups by Document (this, mark, text) hash object
  // keys: ordered_json's own at()/find() are linear in the number of members.
  const nlohmann::ordered_json* value(const Pointer& p) const;
  // Where the value at `p` starts (inside an alias copy: where the alias is; for a path that
  // does not exist: the nearest existing parent).
  Mark mark(const Pointer& p) const;
  // Where the key of the mapping entry `p` starts (its value's mark when p is not one).
  Mark key_mark(const Pointer& p) const;
  // "label:line:col: " (or "label: " when unknown), to prefix a message.
  std::string where(const Pointer& p) const;
  std::string where_key(const Pointer& p) const;
  // The text of the scalar at `p` as written ("1.30" where the value is the number 1.3), or
  // nullopt when `p` is not a scalar (or is null).
  std::optional<std::string> text(const Pointer& p) const;

  struct Node;  // positions, mirroring root()

 private:
  friend Result<Document> parse(std::string_view, const std::string&, const Limits&);
  const Node* find(const Pointer& p, bool* exact, const nlohmann::ordered_json** value) const;
  nlohmann::ordered_json m_root;
  std::string m_label;
  std::unique_ptr<Node> m_positions;
};

// Errors are Errc::parse with "label:line:col: " in front; a limit's error names it
// ("... (limit max_alias_nodes = 100000)").
Result<Document> parse(std::string_view text, const std::string& label = "<yaml>",
                       const Limits& limits = {});

// "label:line:col: " (or "label: " when the mark is unknown), to prefix a message.
std::string where(const std::string& label, Mark m);

// A node as written, for a reader that needs more than the JSON view: its tag and whether a
// scalar was quoted (deploy writes a user's Envoy bootstrap back with its `!ignore` keys), and
// mapping keys as nodes. Aliases are expanded into copies of their anchor's node (the copy keeps
// the original's marks, its root has the alias's), charged to the limits as Document does.
struct Node {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  // The tag as written, handles resolved: "" when none (a plain scalar, an untagged
  // collection, a null), "!" for a quoted scalar, "!ignore", "tag:yaml.org,2002:str" (!!str).
  std::string tag;
  std::string scalar;  // kind scalar: the text
  Mark mark;
  std::vector<Node> items;                     // kind sequence
  std::vector<std::pair<Node, Node>> members;  // kind mapping, in order; keys may repeat
  bool is_plain_scalar() const { return kind == Kind::scalar && tag.empty(); }
};

// Every document of a stream ("---" separated; an empty document is a null node). The limits
// hold for the whole text; errors as parse()'s.
Result<std::vector<Node>> parse_nodes(std::string_view text, const std::string& label = "<yaml>",
                                      const Limits& limits = {});

}  // namespace ext::yaml
