#include "ext/yaml/yaml.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace ext::yaml {

using json = nlohmann::ordered_json;

struct Document::Node {
  Mark mark;
  Mark key_mark;
  std::vector<Node> children;  // in the order of root()'s array items / object members
  std::unordered_map<std::string, size_t> members;  // object key -> index in children
  std::optional<std::string> text;                  // a plain scalar that did not become a string
};

Document::Document() : m_positions(std::make_unique<Node>()) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

namespace {

Mark to_mark(const YAML::Mark& m) {
  if (m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};
}

std::string where_text(const std::string& label, Mark m) {
  if (m.line <= 0) return label + ": ";
  return label + ":" + std::to_string(m.line) + ":" + std::to_string(m.column) + ": ";
}

bool is_json_number(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d) return false;
  }
  return i == n;
}

// A plain scalar's value under the YAML 1.2 core schema, JSON-compatible subset.
json resolve_plain(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return nullptr;
  if (s.size() <= 64 && is_json_number(s)) {
    auto v = json::parse(s, nullptr, false);
    if (v.is_number()) return v;
  }
  return s;
}

// The text a scalar value spells as a mapping key.
std::optional<std::string> key_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

struct Cost {
  size_t nodes = 0;
  size_t bytes = 0;
};

class Stop : public std::exception {
 public:
  explicit Stop(Error e) : error(std::move(e)) {}
  Error error;
};

}  // namespace

// The limits every reader of the event stream charges: values, expanded bytes, alias copies,
// depth. Errors carry "label:line:col: ".
class Budget {
 public:
  Budget(const std::string& label, const Limits& limits) : m_label(label), m_limits(limits) {}

  [[noreturn]] void fail_at(Mark m, const std::string& message) const {
    throw Stop(Error(Errc::parse, where_text(m_label, m) + message));
  }
  [[noreturn]] void fail_limit(Mark m, const std::string& what, const char* name,
                               size_t value) const {
    fail_at(m, what + " (limit " + name + " = " + std::to_string(value) + ")");
  }

  void charge(Mark m, size_t nodes, size_t bytes) {
    m_used.nodes += nodes;
    m_used.bytes += bytes;
    if (m_used.nodes > m_limits.max_nodes)
      fail_limit(m, "the document has more than " + std::to_string(m_limits.max_nodes) + " values",
                 "max_nodes", m_limits.max_nodes);
    if (m_used.bytes > 16 * m_limits.max_bytes)
      fail_limit(m,
                 "the document expands to more than " + std::to_string(16 * m_limits.max_bytes) +
                     " bytes of text",
                 "16 x max_bytes", 16 * m_limits.max_bytes);
  }

  void charge_alias(Mark m, Cost c) {
    m_alias += c.nodes;
    if (m_alias > m_limits.max_alias_nodes)
      fail_limit(m,
                 "anchors and aliases copy more than " + std::to_string(m_limits.max_alias_nodes) +
                     " values (an alias bomb?)",
                 "max_alias_nodes", m_limits.max_alias_nodes);
  }

  void check_depth(Mark m, size_t depth) const {
    if (depth > m_limits.max_depth)
      fail_limit(m, "nested deeper than " + std::to_string(m_limits.max_depth) + " levels",
                 "max_depth", m_limits.max_depth);
  }

  // A mapping or sequence opens at `depth`: one value; returns the cost so far, for since().
  Cost open(Mark m, size_t depth) {
    check_depth(m, depth);
    charge(m, 1, 0);
    return {m_used.nodes - 1, m_used.bytes};
  }
  // What the values since `at_start` cost (a collection's insides, when it closes).
  Cost since(Cost at_start) const {
    return {m_used.nodes - at_start.nodes, m_used.bytes - at_start.bytes};
  }
  // An anchored value is kept as a copy, which costs as much as an alias to it.
  void charge_anchor(Mark m, Cost c) {
    charge_alias(m, c);
    charge(m, 0, c.bytes);
  }

 private:
  const std::string& m_label;
  const Limits& m_limits;
  Cost m_used;
  size_t m_alias = 0;
};

class Builder : public YAML::EventHandler {
 public:
  Builder(const std::string& label, const Limits& limits) : m_budget(label, limits) {}

  bool done = false;
  json root;
  Document::Node root_pos;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    if (expecting_key()) fail_at(to_mark(m), "a mapping key is empty or null");
    charge(to_mark(m), 1, 0);
    Document::Node pos;
    pos.mark = to_mark(m);
    remember(anchor, json(nullptr), pos, {1, 0});
    place(json(nullptr), std::move(pos));
  }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) fail_at(to_mark(m), "alias to an unknown anchor");
    const Cost cost = it->second.cost;
    charge_alias(to_mark(m), cost);
    if (expecting_key()) {
      auto k = key_text(it->second.value);
      if (!k) fail_at(to_mark(m), "a mapping key must be a scalar");
      set_key(*k, to_mark(m));
      return;
    }
    charge(to_mark(m), cost.nodes, cost.bytes);
    // The copy's insides keep the positions of the anchored original.
    Document::Node pos = it->second.pos;
    pos.mark = to_mark(m);
    place(json(it->second.value), std::move(pos));
  }

  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (expecting_key()) {
      charge(to_mark(m), 0, value.size());
      Document::Node pos;
      pos.mark = to_mark(m);
      if (anchor != YAML::NullAnchor) remember(anchor, json(value), pos, {1, value.size()});
      set_key(value, to_mark(m));
      return;
    }
    charge(to_mark(m), 1, value.size());
    Document::Node pos;
    pos.mark = to_mark(m);
    json v = tag == "?" ? resolve_plain(value) : json(value);
    if (!v.is_string()) pos.text = value;
    remember(anchor, v, pos, {1, value.size()});
    place(std::move(v), std::move(pos));
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(to_mark(m), anchor, json::array());
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(to_mark(m), anchor, json::object());
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    json value;
    Document::Node pos;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Cost at_start;
    std::optional<std::string> key;  // a mapping's key waiting for its value
    Mark key_mark;
  };

  [[noreturn]] void fail_at(Mark m, const std::string& message) { m_budget.fail_at(m, message); }
  void charge(Mark m, size_t nodes, size_t bytes) { m_budget.charge(m, nodes, bytes); }
  void charge_alias(Mark m, Cost c) { m_budget.charge_alias(m, c); }

  bool expecting_key() const {
    return !m_stack.empty() && m_stack.back().value.is_object() && !m_stack.back().key;
  }

  void remember(YAML::anchor_t anchor, const json& v, const Document::Node& pos, Cost c) {
    if (anchor == YAML::NullAnchor) return;
    m_budget.charge_anchor(pos.mark, c);
    m_anchors[anchor] = Anchored{v, pos, c};
  }

  void set_key(const std::string& k, Mark m) {
    auto& top = m_stack.back();
    // A hash of the keys: ordered_json looks keys up linearly (quadratic over a large mapping).
    if (top.pos.members.count(k)) fail_at(m, "duplicate key \"" + k.substr(0, 200) + "\"");
    top.key = k;
    top.key_mark = m;
  }

  void open(Mark m, YAML::anchor_t anchor, json empty) {
    if (expecting_key()) fail_at(m, "a mapping key must be a scalar");
    Frame f;
    f.at_start = m_budget.open(m, m_stack.size() + 1);
    f.value = std::move(empty);
    f.pos.mark = m;
    f.anchor = anchor;
    m_stack.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    if (f.anchor != YAML::NullAnchor)
      remember(f.anchor, f.value, f.pos, m_budget.since(f.at_start));
    place(std::move(f.value), std::move(f.pos));
  }

  void place(json v, Document::Node pos) {
    if (m_stack.empty()) {
      root = std::move(v);
      root_pos = std::move(pos);
      done = true;
      return;
    }
    auto& top = m_stack.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(v));
    } else {
      pos.key_mark = top.key_mark;
      top.pos.members.emplace(*top.key, top.pos.children.size());
      top.value.get_ref<json::object_t&>().emplace_back(std::move(*top.key), std::move(v));
      top.key.reset();
    }
    top.pos.children.push_back(std::move(pos));
  }

  Budget m_budget;
  std::vector<Frame> m_stack;
  struct Anchored {
    json value;
    Document::Node pos;
    Cost cost;
  };
  std::unordered_map<YAML::anchor_t, Anchored> m_anchors;
};

// The event stream as Nodes (parse_nodes), under the same Budget as Builder.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& label, const Limits& limits) : m_budget(label, limits) {}

  std::vector<Node> documents;

  void OnDocumentStart(const YAML::Mark&) override { m_placed = false; }
  void OnDocumentEnd() override {
    if (!m_placed) documents.emplace_back();  // an empty document
  }

  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    m_budget.charge(to_mark(m), 1, 0);
    Node n;
    n.mark = to_mark(m);
    remember(anchor, n, {1, 0});
    place(std::move(n));
  }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) m_budget.fail_at(to_mark(m), "alias to an unknown anchor");
    m_budget.charge_alias(to_mark(m), it->second.cost);
    m_budget.charge(to_mark(m), it->second.cost.nodes, it->second.cost.bytes);
    Node copy = it->second.node;
    copy.mark = to_mark(m);
    place(std::move(copy));
  }

  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    m_budget.charge(to_mark(m), 1, value.size());
    Node n;
    n.kind = Node::Kind::scalar;
    n.tag = tag == "?" ? "" : tag;
    n.scalar = value;
    n.mark = to_mark(m);
    remember(anchor, n, {1, value.size()});
    place(std::move(n));
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(to_mark(m), tag, anchor, Node::Kind::sequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(to_mark(m), tag, anchor, Node::Kind::mapping);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Cost at_start;
    std::optional<Node> key;  // a mapping's key waiting for its value
    std::unordered_map<std::string, bool> scalar_keys;
  };
  struct Anchored {
    Node node;
    Cost cost;
  };

  void remember(YAML::anchor_t anchor, const Node& n, Cost c) {
    if (anchor == YAML::NullAnchor) return;
    m_budget.charge_anchor(n.mark, c);
    m_anchors[anchor] = Anchored{n, c};
  }

  void open(Mark m, const std::string& tag, YAML::anchor_t anchor, Node::Kind kind) {
    Frame f;
    f.at_start = m_budget.open(m, m_stack.size() + 1);
    f.node.kind = kind;
    f.node.tag = tag == "?" ? "" : tag;
    f.node.mark = m;
    f.anchor = anchor;
    m_stack.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    remember(f.anchor, f.node, m_budget.since(f.at_start));
    place(std::move(f.node));
  }

  void place(Node n) {
    if (m_stack.empty()) {
      documents.push_back(std::move(n));
      m_placed = true;
      return;
    }
    auto& top = m_stack.back();
    if (top.node.kind == Node::Kind::sequence) {
      top.node.items.push_back(std::move(n));
    } else if (!top.key) {
      if (n.kind == Node::Kind::scalar && !top.scalar_keys.emplace(n.scalar, true).second)
        m_budget.fail_at(n.mark, "duplicate key \"" + n.scalar.substr(0, 200) + "\"");
      top.key = std::move(n);
    } else {
      top.node.members.emplace_back(std::move(*top.key), std::move(n));
      top.key.reset();
    }
  }

  Budget m_budget;
  std::vector<Frame> m_stack;
  std::unordered_map<YAML::anchor_t, Anchored> m_anchors;
  bool m_placed = false;
};

namespace {

// Runs `read(parser)` over the text under the size limit, turning a limit (Stop) or yaml-cpp's
// exception into the error.
template <typename T, typename F>
Result<T> with_parser(std::string_view text, const std::string& label, const Limits& limits,
                      F read) {
  if (text.size() > limits.max_bytes)
    return fail(Errc::parse, label + ": the YAML text is " + std::to_string(text.size()) +
                                 " bytes (limit max_bytes = " + std::to_string(limits.max_bytes) +
                                 ")");
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    return read(parser);
  } catch (const Stop& s) {
    return fail(s.error);
  } catch (const YAML::Exception& e) {
    return fail(Errc::parse, where_text(label, to_mark(e.mark)) + e.msg);
  }
}

}  // namespace

Result<Document> parse(std::string_view text, const std::string& label, const Limits& limits) {
  return with_parser<Document>(text, label, limits, [&](YAML::Parser& parser) -> Result<Document> {
    Builder builder(label, limits);
    Document doc;
    doc.m_label = label;
    if (parser.HandleNextDocument(builder) && builder.done) {
      doc.m_root = std::move(builder.root);
      *doc.m_positions = std::move(builder.root_pos);
    }
    Builder next(label, limits);
    if (parser.HandleNextDocument(next))
      return fail(Errc::parse, label + ": more than one YAML document (\"---\")",
                  "keep one document per file");
    return doc;
  });
}

std::string where(const std::string& label, Mark m) {
  return where_text(label, m);
}

Result<std::vector<Node>> parse_nodes(std::string_view text, const std::string& label,
                                      const Limits& limits) {
  return with_parser<std::vector<Node>>(text, label, limits,
                                        [&](YAML::Parser& parser) -> Result<std::vector<Node>> {
                                          TreeBuilder builder(label, limits);
                                          while (parser.HandleNextDocument(builder)) {
                                          }
                                          return std::move(builder.documents);
                                        });
}

namespace {

std::vector<std::string> tokens_of(Pointer p) {
  std::vector<std::string> out;
  while (!p.empty()) {
    out.push_back(p.back());
    p.pop_back();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

// Walks p through the values and their positions together: O(length of p), members by hash.
const Document::Node* Document::find(const Pointer& p, bool* exact, const json** value) const {
  const json* j = &m_root;
  const Node* n = m_positions.get();
  if (exact) *exact = false;
  if (value) *value = j;
  for (const auto& token : tokens_of(p)) {
    size_t index = 0;
    if (j->is_object()) {
      auto it = n->members.find(token);
      if (it == n->members.end()) return n;  // absent, or inside an alias copy
      index = it->second;
      // ordered_map is a vector of (key, value) in insertion order.
      const auto& members = static_cast<const std::vector<std::pair<const std::string, json>>&>(
          j->get_ref<const json::object_t&>());
      if (index >= members.size()) return n;
      j = &members[index].second;
    } else if (j->is_array()) {
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec != std::errc() || end != token.data() + token.size() || index >= j->size() ||
          index >= n->children.size())
        return n;
      j = &(*j)[index];
    } else {
      return n;
    }
    n = &n->children[index];
    if (value) *value = j;
  }
  if (exact) *exact = true;
  return n;
}

const json* Document::value(const Pointer& p) const {
  const json* v = nullptr;
  bool exact = false;
  find(p, &exact, &v);
  return exact ? v : nullptr;
}

Mark Document::mark(const Pointer& p) const {
  return find(p, nullptr, nullptr)->mark;
}

Mark Document::key_mark(const Pointer& p) const {
  bool exact = false;
  const Node* n = find(p, &exact, nullptr);
  if (exact && n->key_mark.line > 0) return n->key_mark;
  return n->mark;
}

std::string Document::where(const Pointer& p) const {
  return where_text(m_label, mark(p));
}
std::string Document::where_key(const Pointer& p) const {
  return where_text(m_label, key_mark(p));
}

std::optional<std::string> Document::text(const Pointer& p) const {
  const json* v = nullptr;
  bool exact = false;
  const Node* n = find(p, &exact, &v);
  if (!exact) {
    // Not reached by positions (inside an alias copy): look the value up directly.
    try {
      v = &m_root.at(p);
    } catch (const nlohmann::json::exception&) {
      return std::nullopt;
    }
    n = nullptr;
  }
  if (v->is_string()) return v->get<std::string>();
  if (!v->is_number() && !v->is_boolean()) return std::nullopt;
  if (n && n->text) return n->text;
  return v->dump();
}

}  // namespace ext::yaml
