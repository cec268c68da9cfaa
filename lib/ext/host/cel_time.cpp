// Our own civil-time arithmetic (days from civil dates by the proleptic Gregorian calendar) and
// a bounded TZif reader; see cel_time.hpp for the sources of each behaviour.
#include "ext/host/cel_time.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <limits>
#include <vector>

namespace ext::host::cel {

namespace {

constexpr int64_t k_nano = 1000000000;

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y += m <= 2 ? 1 : 0;
}

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : k[m - 1];
}

Instant normalize(int64_t seconds, int64_t nanos) {
  seconds += nanos / k_nano;
  nanos %= k_nano;
  if (nanos < 0) {
    nanos += k_nano;
    --seconds;
  }
  return Instant{seconds, static_cast<int32_t>(nanos)};
}

// Reads exactly `n` digits at s[i]; false otherwise.
bool digits(std::string_view s, size_t& i, int n, int& out) {
  out = 0;
  for (int k = 0; k < n; ++k, ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string fraction(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  if (nanos % 1000000 == 0)
    std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
  else if (nanos % 1000 == 0)
    std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
  else
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
  return buf;
}

uint64_t be(std::string_view s, size_t at, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = v << 8 | static_cast<unsigned char>(s[at + k]);
  return v;
}

// A POSIX TZ string (RFC 8536 3.3, 3.3.1), parsed.
struct TzRule {
  char kind = 'M';  // 'J' (Jn, 1..365, no Feb 29), 'n' (0..365), 'M' (Mm.w.d)
  int a = 0, b = 0, c = 0;
  int64_t time = 7200;  // seconds after local midnight, -167h..167h; default 02:00:00
};
struct PosixTz {
  int64_t std_utoff = 0, dst_utoff = 0;  // seconds east of UTC
  bool has_dst = false;
  TzRule start, end;
};

struct TzReader {
  std::string_view s;
  size_t i = 0;
  bool more() const { return i < s.size(); }
  bool number(int64_t& v, int64_t max) {
    size_t start = i;
    v = 0;
    while (more() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i++] - '0');
      if (v > max) return false;
    }
    return i > start;
  }
  bool name() {  // <+03> or alphabetic, at least 3 characters
    size_t start = i;
    if (more() && s[i] == '<') {
      ++i;
      while (more() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' || s[i] == '-'))
        ++i;
      if (!more() || s[i] != '>' || i - start < 4) return false;
      ++i;
      return true;
    }
    while (more() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - start >= 3;
  }
  // [+-]hh[:mm[:ss]] with hours up to max_hours; seconds, sign applied.
  bool hms(int64_t& out, int64_t max_hours) {
    int64_t sign = 1;
    if (more() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    int64_t h = 0, m = 0, sec = 0;
    if (!number(h, max_hours)) return false;
    if (more() && s[i] == ':') {
      ++i;
      if (!number(m, 59)) return false;
      if (more() && s[i] == ':') {
        ++i;
        if (!number(sec, 59)) return false;
      }
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool rule(TzRule& r) {
    int64_t a = 0, b = 0, c = 0;
    if (more() && s[i] == 'J') {
      ++i;
      if (!number(a, 365) || a < 1) return false;
      r.kind = 'J';
    } else if (more() && s[i] == 'M') {
      ++i;
      if (!number(a, 12) || a < 1 || !more() || s[i++] != '.' || !number(b, 5) || b < 1 ||
          !more() || s[i++] != '.' || !number(c, 6))
        return false;
      r.kind = 'M';
    } else {
      if (!number(a, 365)) return false;
      r.kind = 'n';
    }
    r.a = static_cast<int>(a), r.b = static_cast<int>(b), r.c = static_cast<int>(c);
    r.time = 7200;
    if (more() && s[i] == '/') {
      ++i;
      if (!hms(r.time, 167)) return false;
    }
    return true;
  }
};

std::optional<PosixTz> parse_posix_tz(std::string_view s) {
  if (s.empty() || s.size() > 128) return std::nullopt;
  TzReader r{s};
  PosixTz tz;
  int64_t off = 0;
  if (!r.name() || !r.hms(off, 24)) return std::nullopt;
  tz.std_utoff = -off;  // POSIX offsets are positive west of Greenwich
  if (!r.more()) return tz;
  if (!r.name()) return std::nullopt;
  tz.has_dst = true;
  tz.dst_utoff = tz.std_utoff + 3600;
  if (r.more() && r.s[r.i] != ',') {
    if (!r.hms(off, 24)) return std::nullopt;
    tz.dst_utoff = -off;
  }
  // A DST name without a rule leaves the rule to the implementation (POSIX); zic always writes
  // one, so ext refuses the string rather than guess.
  if (!r.more() || r.s[r.i++] != ',' || !r.rule(tz.start) || !r.more() || r.s[r.i++] != ',' ||
      !r.rule(tz.end) || r.more())
    return std::nullopt;
  return tz;
}

// Days since 1970-01-01 of the day `r` names in `year`.
int64_t rule_day(const TzRule& r, int64_t year) {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  if (r.kind == 'J') return jan1 + r.a - 1 + (leap(year) && r.a >= 60 ? 1 : 0);
  if (r.kind == 'n') return jan1 + r.a;
  // Mm.w.d: the w-th weekday d of month m (w = 5: the last one).
  const int64_t first = days_from_civil(year, r.a, 1);
  const int64_t weekday = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  int64_t day = (r.c - weekday + 7) % 7 + 7 * (r.b - 1);
  while (day >= days_in_month(year, r.a)) day -= 7;
  return first + day;
}

int64_t posix_offset(const PosixTz& tz, int64_t when) {
  if (!tz.has_dst) return tz.std_utoff;
  // The transitions of the years around `when` (rule times are local: standard time for the
  // start, daylight time for the end); the last one at or before `when` decides. An end and a
  // start at the same instant (DST all year, RFC 8536 3.3.1) leave DST on.
  int64_t days = when / 86400 - (when % 86400 < 0 ? 1 : 0);
  int64_t year;
  int month, mday;
  civil_from_days(days, year, month, mday);
  int64_t best = std::numeric_limits<int64_t>::min();
  bool dst = false, found = false;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    const int64_t start = rule_day(tz.start, y) * 86400 + tz.start.time - tz.std_utoff;
    const int64_t end = rule_day(tz.end, y) * 86400 + tz.end.time - tz.dst_utoff;
    for (auto [t, on] : {std::pair{end, false}, std::pair{start, true}})
      if (t <= when && (!found || t > best || (t == best && on))) {
        best = t, dst = on, found = true;
      }
  }
  return dst ? tz.dst_utoff : tz.std_utoff;
}

}  // namespace

std::optional<int64_t> posix_tz_offset(std::string_view tz, int64_t unix_seconds) {
  auto parsed = parse_posix_tz(tz);
  if (!parsed) return std::nullopt;
  // Years stay far inside int64 arithmetic: +-2^55 seconds is over a billion years.
  if (unix_seconds > (int64_t{1} << 55) || unix_seconds < -(int64_t{1} << 55)) return std::nullopt;
  return posix_offset(*parsed, unix_seconds);
}

bool timestamp_in_range(const Instant& t) {
  return t.seconds >= k_min_timestamp_seconds && t.seconds <= k_max_timestamp_seconds;
}
bool duration_in_range(const Instant& d) {
  // +-(315,576,000,000 s + 999,999,999 ns): protobuf's TimeUtil kDurationMax/MinSeconds and
  // Nanos, cel-cpp internal/time.cc MaxDuration/MinDuration. Nanos are floored: -0.5 s is
  // {-1 s, 500,000,000 ns}.
  return d.seconds <= k_max_duration_seconds &&
         (d.seconds > -k_max_duration_seconds - 1 ||
          (d.seconds == -k_max_duration_seconds - 1 && d.nanos >= 1));
}

std::optional<Instant> parse_timestamp(std::string_view s) {
  size_t i = 0;
  int y, mo, d, h, mi, se;
  if (!digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, mo) ||
      i >= s.size() || s[i++] != '-' || !digits(s, i, 2, d))
    return std::nullopt;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't')) return std::nullopt;
  ++i;
  if (!digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi) ||
      i >= s.size() || s[i++] != ':' || !digits(s, i, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int64_t scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  if (i >= s.size()) return std::nullopt;
  int64_t offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int sign = s[i++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(s, i, 2, oh) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return normalize(secs, nanos);
}

std::optional<Instant> parse_duration(std::string_view s) {
  // [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ | [-+]?0 ; units ns us µs ms s m h.
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (s.substr(i) == "0") return Instant{};
  if (i >= s.size()) return std::nullopt;
  // Accumulate in nanoseconds with 128-bit headroom, bounded by the duration range.
  __extension__ typedef __int128 i128;
  const i128 limit = static_cast<i128>(k_max_duration_seconds + 1) * k_nano;
  i128 total = 0;
  while (i < s.size()) {
    i128 whole = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      whole = whole * 10 + (s[i] - '0');
      if (whole > limit) return std::nullopt;
      ++i;
    }
    i128 frac = 0, frac_scale = 1;
    bool dot = i < s.size() && s[i] == '.';
    if (dot) {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (frac_scale < static_cast<i128>(1000000000000000000LL)) {
          frac = frac * 10 + (s[i] - '0');
          frac_scale *= 10;
        }
        ++i;
      }
    }
    if (i == start || (dot && i == start + 1)) return std::nullopt;
    size_t u = i;
    while (i < s.size() &&
           ((s[i] >= 'a' && s[i] <= 'z') || static_cast<unsigned char>(s[i]) >= 0x80))
      ++i;
    std::string_view unit = s.substr(u, i - u);
    int64_t mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      mult = 1000;
    else if (unit == "ms")
      mult = 1000000;
    else if (unit == "s")
      mult = k_nano;
    else if (unit == "m")
      mult = 60 * k_nano;
    else if (unit == "h")
      mult = 3600 * k_nano;
    else
      return std::nullopt;
    total += whole * mult + frac * mult / frac_scale;
    if (total > limit) return std::nullopt;
  }
  if (neg) total = -total;
  Instant d = normalize(static_cast<int64_t>(total / k_nano), static_cast<int64_t>(total % k_nano));
  if (!duration_in_range(d)) return std::nullopt;
  return d;
}

std::string format_timestamp(const Instant& t) {
  int64_t days = t.seconds / 86400, rem = t.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  int m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf + fraction(t.nanos) + "Z";
}

std::string format_duration(const Instant& d) {
  // Protobuf JSON: the sign, whole seconds and 0/3/6/9 fraction digits, then 's'.
  bool neg = d.seconds < 0;
  int64_t secs = d.seconds;
  int32_t nanos = d.nanos;
  if (neg && nanos > 0) {
    secs += 1;
    nanos = static_cast<int32_t>(k_nano - nanos);
  }
  std::string out = neg ? "-" : "";
  uint64_t mag = neg ? static_cast<uint64_t>(-(secs + 0)) : static_cast<uint64_t>(secs);
  if (neg && secs == 0) mag = 0;
  out += std::to_string(mag) + fraction(nanos) + "s";
  return out;
}

std::optional<Instant> add(const Instant& a, const Instant& b) {
  int64_t s = 0;
  if (__builtin_add_overflow(a.seconds, b.seconds, &s)) return std::nullopt;
  Instant r = normalize(0, static_cast<int64_t>(a.nanos) + b.nanos);
  if (__builtin_add_overflow(s, r.seconds, &r.seconds)) return std::nullopt;
  return r;
}

std::optional<Instant> sub(const Instant& a, const Instant& b) {
  int64_t s = 0;
  if (__builtin_sub_overflow(a.seconds, b.seconds, &s)) return std::nullopt;
  Instant r = normalize(0, static_cast<int64_t>(a.nanos) - b.nanos);
  if (__builtin_add_overflow(s, r.seconds, &r.seconds)) return std::nullopt;
  return r;
}

namespace {
bool infinite(const Instant& v) {
  return (v.seconds == k_infinite_future.seconds && v.nanos == k_infinite_future.nanos) ||
         (v.seconds == k_infinite_past.seconds && v.nanos == k_infinite_past.nanos);
}
Instant negated_infinity(const Instant& v) {
  return v.seconds >= 0 ? k_infinite_past : k_infinite_future;
}
}  // namespace

Instant add_saturating(const Instant& a, const Instant& b) {
  if (infinite(a)) return a;
  if (infinite(b)) return b;
  if (auto r = add(a, b); r && !infinite(*r)) return *r;
  return b.seconds < 0 ? k_infinite_past : k_infinite_future;
}

Instant sub_saturating(const Instant& a, const Instant& b) {
  if (infinite(a)) return a;
  if (infinite(b)) return negated_infinity(b);
  if (auto r = sub(a, b); r && !infinite(*r)) return *r;
  return b.seconds >= 0 ? k_infinite_past : k_infinite_future;
}

int compare(const Instant& a, const Instant& b) {
  if (a.seconds != b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.nanos != b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

int64_t to_nanos_saturated(const Instant& v) {
  __extension__ typedef __int128 i128;
  i128 n = static_cast<i128>(v.seconds) * k_nano + v.nanos;
  if (n > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (n < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(n);
}

Instant from_nanos(int64_t nanos) {
  return normalize(nanos / k_nano, nanos % k_nano);
}

int64_t whole_seconds(const Instant& d) {
  return d.seconds < 0 && d.nanos > 0 ? d.seconds + 1 : d.seconds;
}

int64_t whole_millis(const Instant& d) {
  __extension__ typedef __int128 i128;
  i128 n = static_cast<i128>(d.seconds) * k_nano + d.nanos;
  n /= 1000000;  // truncates toward zero
  if (n > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (n < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(n);
}

std::optional<int64_t> tzif_offset(std::string_view f, int64_t when) {
  // Header (RFC 8536 3.1): "TZif", version, 15 reserved bytes, six 32-bit counts.
  auto header = [&](size_t at, uint64_t c[6]) {
    if (at + 44 > f.size() || f.substr(at, 4) != "TZif") return false;
    for (int k = 0; k < 6; ++k) c[k] = be(f, at + 20 + 4 * k, 4);
    return true;
  };
  uint64_t c[6];  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  if (!header(0, c)) return std::nullopt;
  size_t at = 44;
  int tsize = 4;
  if (f[4] >= '2') {  // skip the v1 block; the v2+ block has 64-bit times
    uint64_t v1 = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (v1 > f.size()) return std::nullopt;
    at += v1;
    if (!header(at, c)) return std::nullopt;
    at += 44;
    tsize = 8;
  }
  const uint64_t timecnt = c[3], typecnt = c[4];
  if (typecnt == 0 || typecnt > 256 || timecnt > 100000) return std::nullopt;
  if (at + timecnt * (tsize + 1) + typecnt * 6 > f.size()) return std::nullopt;
  size_t times = at, idx = at + timecnt * tsize, types = idx + timecnt;
  // Version 2+: the footer (RFC 8536 3.3), "\n" TZ string "\n" after the 64-bit data block,
  // governs the instants after the last transition (all of them when there is none).
  if (tsize == 8) {
    if (c[5] > 1 << 16 || c[2] > 1 << 16 || c[1] > 256 || c[0] > 256) return std::nullopt;
    const uint64_t block = timecnt * 9 + typecnt * 6 + c[5] + c[2] * 12 + c[1] + c[0];
    const uint64_t foot = at + block;
    auto last = [&] {
      uint64_t raw = be(f, times + (timecnt - 1) * 8, 8);
      return static_cast<int64_t>(raw);
    };
    if (foot < f.size() && f[foot] == '\n' && (timecnt == 0 || when > last())) {
      auto nl = f.find('\n', foot + 1);
      if (nl != std::string_view::npos) {
        auto off = posix_tz_offset(f.substr(foot + 1, nl - foot - 1), when);
        if (off && *off >= -89999 && *off <= 93599) return off;
      }
    }
  }
  auto type_offset = [&](uint64_t t) -> std::optional<int64_t> {
    if (t >= typecnt) return std::nullopt;
    int64_t off = static_cast<int32_t>(static_cast<uint32_t>(be(f, types + t * 6, 4)));
    if (off < -89999 || off > 93599) return std::nullopt;  // RFC 8536 3.2 (utoff)
    return off;
  };
  // Before the first transition: the first type (RFC 8536 3.2). Otherwise the last transition
  // at or before `when` (binary search); after the last one, its type.
  uint64_t lo = 0, hi = timecnt;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    uint64_t raw = be(f, times + mid * tsize, tsize);
    int64_t t = tsize == 8 ? static_cast<int64_t>(raw)
                           : static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(raw)));
    if (t <= when)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return type_offset(0);
  return type_offset(static_cast<unsigned char>(f[idx + lo - 1]));
}

std::optional<Civil> breakdown(const Instant& t, std::string_view zone) {
  int64_t offset = 0;
  if (zone.empty() || zone == "UTC") {
    offset = 0;
  } else if (zone.find(':') != std::string_view::npos) {
    // cel-cpp turns "+hh:mm" into an absl duration "+hhhmmm"; we read the same forms.
    size_t i = 0;
    int sign = 1;
    if (i < zone.size() && (zone[i] == '+' || zone[i] == '-')) sign = zone[i++] == '-' ? -1 : 1;
    auto colon = zone.find(':', i);
    auto num = [](std::string_view s, int64_t& v) {
      if (s.empty() || s.size() > 4) return false;
      v = 0;
      for (char ch : s) {
        if (ch < '0' || ch > '9') return false;
        v = v * 10 + (ch - '0');
      }
      return true;
    };
    int64_t h = 0, m = 0;
    if (!num(zone.substr(i, colon - i), h) || !num(zone.substr(colon + 1), m)) return std::nullopt;
    offset = sign * (h * 3600 + m * 60);
  } else {
    if (zone.size() > 64 || zone.find("..") != std::string_view::npos || zone[0] == '/')
      return std::nullopt;
    for (char ch : zone)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '+' || ch == '-' ||
            ch == '/'))
        return std::nullopt;
    std::ifstream in("/usr/share/zoneinfo/" + std::string(zone), std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes(256 * 1024 + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<size_t>(in.gcount()));
    if (bytes.size() > 256 * 1024) return std::nullopt;
    auto o = tzif_offset(bytes, t.seconds);
    if (!o) return std::nullopt;
    offset = *o;
  }
  int64_t local = 0;
  if (__builtin_add_overflow(t.seconds, offset, &local)) return std::nullopt;
  int64_t days = local / 86400, rem = local % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  Civil c;
  civil_from_days(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  c.year_day = static_cast<int>(days - days_from_civil(c.year, 1, 1));
  c.nanos = t.nanos;
  return c;
}

}  // namespace ext::host::cel
