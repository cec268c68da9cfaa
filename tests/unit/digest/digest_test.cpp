#include <catch2/catch.hpp>
#include <fstream>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"

using ext::digest::Digest;

TEST_CASE("sha256 of known vectors, whole and streamed", "[digest]") {
  CHECK(ext::digest::sha256("").to_string() ==
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ext::digest::sha256("abc").hex() ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ext::digest::Sha256 h;
  h.update("a");
  h.update("bc");
  CHECK(h.bytes() == 3);
  CHECK(h.finish() == ext::digest::sha256("abc"));
}

TEST_CASE("sha256_file streams a file larger than its buffer", "[digest]") {
  ext::util::TempDir dir;
  auto p = dir.path() / "blob";
  std::string data(3 * (1 << 20) + 17, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  {
    std::ofstream f(p, std::ios::binary);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  CHECK(ext::digest::sha256_file(p) == ext::digest::sha256(data));
}

TEST_CASE("digest parsing", "[digest]") {
  auto ok =
      Digest::parse("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(ok);
  CHECK(ok->algorithm() == "sha256");
  CHECK(ok->short_hex() == "ba7816bf8f01");
  CHECK_FALSE(Digest::parse("sha256:abc"));
  CHECK_FALSE(
      Digest::parse("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  CHECK_FALSE(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e"));
  CHECK_FALSE(Digest::parse("nodigest"));
}
