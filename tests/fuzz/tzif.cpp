// host::cel::tzif_offset: TZif bytes (RFC 8536) as read from a zoneinfo file, at a few instants
// (9e9 is past every file's last transition: the footer's TZ string decides); the same bytes as
// a TZ string for host::cel::posix_tz_offset.
#include "ext/host/cel_time.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(tzif) {
  auto bytes = ext::fuzz::as_text(data, size);
  for (int64_t t : {int64_t{-5000000000}, int64_t{0}, int64_t{1704067200}, int64_t{9000000000}}) {
    auto off = ext::host::cel::tzif_offset(bytes, t);
    EXT_FUZZ_CHECK(!off || (*off >= -89999 && *off <= 93599), "an offset outside RFC 8536's range");
    auto posix = ext::host::cel::posix_tz_offset(bytes, t);
    EXT_FUZZ_CHECK(!posix || (*posix >= -89999 && *posix <= 93599),
                   "a TZ string offset out of range");
  }
  return 0;
}
