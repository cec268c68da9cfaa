// ext::host cel — timestamps and durations as CEL has them (github.com/google/cel-spec
// doc/langdef.md "Timestamps and durations"; cel-cpp runtime/standard/time_functions.cc and
// type_conversion_functions.cc at a3fb693): RFC 3339 text for timestamp(), Go/absl duration text
// ("1h30m", "-1.5s", "250ms") for duration(), protobuf-JSON text back for string(), and the
// civil-time breakdown the get*() functions take, in UTC or at a fixed "+hh:mm" offset or in an
// IANA zone read from the system's zoneinfo (TZif, RFC 8536), as absl::LoadTimeZone does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ext::host::cel {

// A point or a span of time: seconds and a nanosecond part in [0, 1e9) (so -1.5s is -2 s +
// 500,000,000 ns).
struct Instant {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

// Timestamps are 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z (cel-spec); durations
// span at most 315,576,000,000.999999999 s either way (google.protobuf.Duration).
inline constexpr int64_t k_min_timestamp_seconds = -62135596800;
inline constexpr int64_t k_max_timestamp_seconds = 253402300799;
inline constexpr int64_t k_max_duration_seconds = 315576000000;

bool timestamp_in_range(const Instant& t);
bool duration_in_range(const Instant& d);

std::optional<Instant> parse_timestamp(std::string_view text);  // RFC 3339 (absl RFC3339_full)
std::optional<Instant> parse_duration(std::string_view text);   // absl::ParseDuration's grammar
std::string format_timestamp(const Instant& t);  // "2024-01-01T00:00:00.5Z" (0, 3, 6 or 9 digits)
std::string format_duration(const Instant& d);   // "1.500s" (protobuf JSON)

// Checked arithmetic; nullopt on overflow of int64 seconds.
std::optional<Instant> add(const Instant& a, const Instant& b);
std::optional<Instant> sub(const Instant& a, const Instant& b);
// absl::Time / absl::Duration arithmetic, which cel-cpp's unchecked time functions (the ones
// Envoy's expr_create gets) run: no CEL range check, and a result past int64 seconds saturates
// to an infinity that then absorbs every further addition or subtraction (abseil-cpp
// absl/time/duration.cc, Duration::operator+= and operator-=, 20260526.0 as cel-cpp a3fb693's
// MODULE.bazel pins). ext's infinities are the extreme Instants below (so timestamp(-2^63) is
// taken for the infinite past).
inline constexpr Instant k_infinite_future{INT64_MAX, 999999999};
inline constexpr Instant k_infinite_past{INT64_MIN, 0};
Instant add_saturating(const Instant& a, const Instant& b);
Instant sub_saturating(const Instant& a, const Instant& b);
int compare(const Instant& a, const Instant& b);  // -1, 0, 1
// Whole nanoseconds, saturated to int64 (Envoy serializes with absl::ToInt64Nanoseconds /
// ToUnixNanos, which saturate).
int64_t to_nanos_saturated(const Instant& v);
// The instant `nanos` nanoseconds from zero (how Envoy serializes both to a module).
Instant from_nanos(int64_t nanos);
// Truncated toward zero and saturated, as absl::ToInt64Seconds and friends.
int64_t whole_seconds(const Instant& d);
int64_t whole_millis(const Instant& d);

struct Civil {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int weekday = 4;   // 0 = Sunday
  int year_day = 0;  // 0-based
  int32_t nanos = 0;
};
// The breakdown of `t` in `zone`: "" or "UTC" or an IANA name (read from /usr/share/zoneinfo,
// at most 256 KiB, name [A-Za-z0-9_+-/] without ".."), or "+hh:mm" / "-hh:mm". nullopt for a
// zone that is none of these ("Invalid timezone" in cel-cpp).
std::optional<Civil> breakdown(const Instant& t, std::string_view zone);

// Reads a TZif file's bytes (RFC 8536) and answers the UTC offset in seconds at `unix_seconds`;
// nullopt when the bytes are not a TZif file ext can read. After the last transition a version
// 2+ file's footer (a POSIX TZ string, RFC 8536 section 3.3) decides, as absl's cctz (which
// cel-cpp's time zones come from) does: Debian's files list transitions up to 2037 only.
// Exposed for the tests and fuzzing.
std::optional<int64_t> tzif_offset(std::string_view tzif, int64_t unix_seconds);

// The UTC offset in seconds at `unix_seconds` under a POSIX TZ string as a TZif footer holds it
// ("CET-1CEST,M3.5.0,M10.5.0/3"; RFC 8536 3.3 and its 3.3.1 extensions: transition hours
// -167..167, DST all year): std and dst names (alphabetic or <quoted>), offsets [+-]hh[:mm[:ss]]
// (hours 0..24, positive west of Greenwich), rules Jn, n and Mm.w.d with an optional /time.
// nullopt for a string that is not one (at most 128 bytes).
std::optional<int64_t> posix_tz_offset(std::string_view tz, int64_t unix_seconds);

}  // namespace ext::host::cel
