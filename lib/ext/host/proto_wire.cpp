#include "ext/host/proto_wire.hpp"

namespace ext::host {
namespace {

bool read_varint(std::string_view in, size_t& pos, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    auto b = static_cast<uint8_t>(in[pos++]);
    out |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;  // more than 10 bytes
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

}  // namespace

std::optional<std::vector<ProtoField>> proto_fields(std::string_view in) {
  std::vector<ProtoField> out;
  size_t pos = 0;
  while (pos < in.size()) {
    uint64_t key = 0;
    if (!read_varint(in, pos, key)) return std::nullopt;
    uint64_t field = key >> 3;
    if (field == 0 || field > 0x1fffffff) return std::nullopt;
    ProtoField f;
    f.number = static_cast<uint32_t>(field);
    f.wire = static_cast<uint8_t>(key & 7);
    switch (f.wire) {
      case 0:
        if (!read_varint(in, pos, f.value)) return std::nullopt;
        break;
      case 1:
      case 5: {
        size_t n = f.wire == 1 ? 8 : 4;
        if (in.size() - pos < n) return std::nullopt;
        for (size_t i = 0; i < n; ++i)
          f.value |= static_cast<uint64_t>(static_cast<uint8_t>(in[pos + i])) << (8 * i);
        pos += n;
        break;
      }
      case 2: {
        uint64_t len = 0;
        if (!read_varint(in, pos, len) || len > in.size() - pos) return std::nullopt;
        f.bytes = in.substr(pos, static_cast<size_t>(len));
        pos += static_cast<size_t>(len);
        break;
      }
      default:  // groups (3, 4) and unknown wire types
        return std::nullopt;
    }
    out.push_back(f);
  }
  return out;
}

std::optional<ProtoFields> parse_proto(std::string_view in) {
  auto fields = proto_fields(in);
  if (!fields) return std::nullopt;
  ProtoFields out;
  for (const auto& f : *fields) {
    if (f.wire == 0) out.varints[f.number] = f.value;
    if (f.wire == 2) out.bytes[f.number] = std::string(f.bytes);
  }
  return out;
}

std::string proto_varint_field(uint32_t field, uint64_t value) {
  std::string out;
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 0);
  put_varint(out, value);
  return out;
}

std::string proto_bytes_field(uint32_t field, std::string_view value) {
  std::string out;
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, value.size());
  out.append(value);
  return out;
}

}  // namespace ext::host
