#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/common/npz.hpp"
#include "python_script.hpp"
#include "temp_dir.hpp"
#include "test_seed.hpp"

namespace fs = std::filesystem;

namespace {

std::string run_python(const nf::test::TempDir& dir, const std::string& code) {
  return nf::test::run_python_script(dir.path(), code);
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Reading `path` throws one nf::InputError line naming the file and holding every fragment.
void expect_read_error(const fs::path& path, const std::vector<std::string>& fragments) {
  try {
    nf::NpzArchive::read(path);
    FAIL("no error for " << path);
  } catch (const nf::InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find(path.string()) == 0);
    CHECK(message.find('\n') == std::string::npos);
    for (const auto& fragment : fragments) CHECK_THAT(message, Catch::Contains(fragment));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("npz round-trips every element type", "[npz]", float, double, std::int8_t, std::int16_t,
                   std::int32_t, std::int64_t, std::uint8_t, std::uint16_t, std::uint32_t, std::uint64_t) {
  nf::test::TempDir tmp;
  std::vector<TestType> data;
  for (int i = 0; i < 24; ++i) data.push_back(static_cast<TestType>(i * 3 + 1));
  const TestType scalar = static_cast<TestType>(7);
  nf::NpzWriter writer(tmp / "a.npz");
  writer.add<TestType>("b", {2, 3, 4}, data.data());
  writer.add<TestType>("a", {}, &scalar);
  writer.add<TestType>("empty", {0, 3}, data.data());
  CHECK_FALSE(fs::exists(tmp / "a.npz"));  // nothing is written before commit()
  writer.commit();

  const auto archive = nf::NpzArchive::read(tmp / "a.npz");
  CHECK(archive.names() == std::vector<std::string>{"b", "a", "empty"});  // the order of add()
  CHECK(archive.has("a"));
  CHECK_FALSE(archive.has("c"));
  CHECK(archive.dtype("b") == nf::npy_descr<TestType>());
  CHECK(archive.shape("b") == std::vector<std::int64_t>{2, 3, 4});
  CHECK(archive.shape("a").empty());
  const auto b = archive.get<TestType>("b");
  CHECK(b.shape == std::vector<std::int64_t>{2, 3, 4});
  CHECK(b.data == data);
  CHECK(archive.get<TestType>("a").data == std::vector<TestType>{scalar});
  CHECK(archive.get<TestType>("empty").data.empty());
  // Converted on the way out: every numeric type reads as double.
  const auto as_double = archive.get<double>("b");
  for (std::size_t i = 0; i < data.size(); ++i) CHECK(as_double.data[i] == static_cast<double>(data[i]));
}

TEST_CASE("an npz writer dropped without commit leaves nothing behind", "[npz]") {
  nf::test::TempDir tmp;
  {
    nf::NpzWriter writer(tmp / "a.npz");
    const double x = 1.0;
    writer.add<double>("x", {}, &x);
  }
  CHECK(fs::is_empty(tmp.path()));
}

TEST_CASE("an npz writer refuses an empty name and a name added twice", "[npz]") {
  nf::test::TempDir tmp;
  nf::NpzWriter writer(tmp / "a.npz");
  const double x = 1.0;
  writer.add<double>("x", {}, &x);
  CHECK_THROWS_WITH(writer.add<double>("x", {}, &x), Catch::Contains("a.npz: array 'x': added twice"));
  CHECK_THROWS_AS(writer.add<double>("", {}, &x), nf::InputError);
}

TEST_CASE("numpy reads the npz files we write, ZIP64 records included", "[npz][numpy]") {
  nf::test::TempDir tmp;
  std::vector<double> inputs(2 * 3 * 4);
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = 0.25 * static_cast<double>(i) - 1.0;
  const std::vector<std::int32_t> labels = {-3, 0, 5};
  const std::vector<std::uint8_t> mask = {1, 0, 1, 1};
  const double scalar = 0.1;
  for (const std::uint64_t threshold : {std::uint64_t{0xffffffff}, std::uint64_t{64}}) {
    const fs::path file = tmp / fmt::format("ours-{}.npz", threshold);
    nf::NpzWriter writer(file, threshold);  // 64: every member and the directory past the ZIP64 limit
    writer.add<double>("inputs", {2, 3, 4}, inputs.data());
    writer.add<std::int32_t>("labels", {3}, labels.data());
    writer.add<std::uint8_t>("mask", {2, 2}, mask.data());
    writer.add<double>("success_mse", {}, &scalar);
    writer.commit();
    const std::string printed = run_python(tmp, fmt::format(R"(
f = np.load(d + '/{}')
assert sorted(f.files) == ['inputs', 'labels', 'mask', 'success_mse'], f.files
assert f['inputs'].dtype == np.float64 and f['inputs'].shape == (2, 3, 4)
assert np.array_equal(f['inputs'], np.arange(24).reshape(2, 3, 4) * 0.25 - 1.0)
assert f['labels'].dtype == np.int32 and list(f['labels']) == [-3, 0, 5]
assert f['mask'].dtype == np.uint8 and f['mask'].tolist() == [[1, 0], [1, 1]]
assert f['success_mse'].shape == () and f['success_mse'] == 0.1
assert zipfile.ZipFile(d + '/{}').testzip() is None
print('ok')
)", file.filename().string(), file.filename().string()));
    CHECK(printed == "ok\n");
    CHECK(nf::NpzArchive::read(file).get<double>("inputs").data == inputs);
  }
}

TEST_CASE("np.savez and np.savez_compressed files read back value for value", "[npz][numpy]") {
  nf::test::TempDir tmp;
  const std::uint64_t seed = nf::test::test_seed(21);
  // numpy writes random arrays into both archives and each also as a .npy
  // file (read_npy is checked against numpy in test_npy.cpp); the archive's
  // arrays must equal them bit for bit.
  run_python(tmp, fmt::format(R"(
rng = np.random.default_rng({})
arrays = dict(
    f8=rng.standard_normal((3, 4, 5)),
    f4=rng.standard_normal((7,)).astype(np.float32),
    i8=rng.integers(-2**62, 2**62, size=(4, 3)),
    i1=rng.integers(-128, 128, size=(9,)).astype(np.int8),
    u2=rng.integers(0, 2**16, size=(2, 5)).astype(np.uint16),
    scalar=np.float64(rng.standard_normal()),
    fortran=np.asfortranarray(rng.standard_normal((3, 4, 2))),
    transposed=rng.standard_normal((5, 3)).T,
)
for name, a in arrays.items():
    np.save(d + '/' + name + '.npy', np.array(a, order='C'))
np.savez(d + '/plain.npz', **arrays)
np.savez_compressed(d + '/compressed.npz', **arrays)
# A ZIP64 central directory and end record: zipfile writes them past its limits.
zipfile.ZIP64_LIMIT = 100
zipfile.ZIP_FILECOUNT_LIMIT = 3
np.savez_compressed(d + '/zip64.npz', **arrays)
# Other numeric dtypes: bool, float16, big-endian, uint64.
np.savez(d + '/kinds.npz', b=np.array([True, False, True]), h=np.array([0.5, -2.0, 65504.0, 6e-8], dtype=np.float16),
         be=np.array([1.5, -3.25], dtype='>f8'), bi=np.array([-7, 300], dtype='>i4'),
         u8=np.array([2**64 - 1, 0], dtype=np.uint64))
)",
                              seed));
  for (const char* file : {"plain.npz", "compressed.npz", "zip64.npz"}) {
    INFO(file);
    const auto archive = nf::NpzArchive::read(tmp / file);
    CHECK(archive.names().size() == 8);
    CHECK(archive.dtype("f8") == "<f8");
    const auto compare = [&](const std::string& name, auto tag) {
      using T = decltype(tag);
      INFO(name);
      const auto expected = nf::read_npy<T>(tmp / (name + ".npy"));
      const auto got = archive.get<T>(name);
      CHECK(got.shape == expected.shape);
      CHECK(got.data == expected.data);
    };
    compare("f8", double{});
    compare("f4", float{});
    compare("i8", std::int64_t{});
    compare("i1", std::int8_t{});
    compare("u2", std::uint16_t{});
    compare("scalar", double{});
    compare("fortran", double{});     // fortran_order True: returned in C order
    compare("transposed", double{});  // np.save writes a transposed array in Fortran order
    CHECK(archive.get<double>("i1").data.size() == 9);
  }
  const auto kinds = nf::NpzArchive::read(tmp / "kinds.npz");
  CHECK(kinds.dtype("b") == "|b1");
  CHECK(kinds.get<std::uint8_t>("b").data == std::vector<std::uint8_t>{1, 0, 1});
  CHECK(kinds.get<double>("b").data == std::vector<double>{1, 0, 1});
  CHECK(kinds.get<double>("h").data == std::vector<double>{0.5, -2.0, 65504.0, std::ldexp(1.0, -24)});
  CHECK(kinds.dtype("be") == ">f8");
  CHECK(kinds.get<double>("be").data == std::vector<double>{1.5, -3.25});
  CHECK(kinds.get<std::int16_t>("bi").data == std::vector<std::int16_t>{-7, 300});
  CHECK(kinds.get<std::uint64_t>("u8").data == std::vector<std::uint64_t>{0xffffffffffffffffULL, 0});
}

TEST_CASE("npz conversion to an integer type refuses values it cannot hold exactly", "[npz]") {
  nf::test::TempDir tmp;
  const std::vector<double> fractions = {1.0, 1.5};
  const std::vector<double> not_finite = {NAN};
  const std::vector<std::int32_t> wide = {5, 300};
  const std::vector<std::int32_t> negative = {-1};
  nf::NpzWriter writer(tmp / "a.npz");
  writer.add<double>("fractions", {2}, fractions.data());
  writer.add<double>("nan", {1}, not_finite.data());
  writer.add<std::int32_t>("wide", {2}, wide.data());
  writer.add<std::int32_t>("negative", {1}, negative.data());
  writer.commit();
  const auto archive = nf::NpzArchive::read(tmp / "a.npz");
  CHECK_THROWS_WITH(archive.get<std::int32_t>("fractions"),
                    Catch::Contains("a.npz: array 'fractions': value 1.5 (element 1) does not fit '<i4'"));
  CHECK_THROWS_WITH(archive.get<std::int64_t>("nan"), Catch::Contains("array 'nan': value nan"));
  CHECK_THROWS_WITH(archive.get<std::int8_t>("wide"), Catch::Contains("value 300 (element 1)"));
  CHECK_THROWS_WITH(archive.get<std::uint32_t>("negative"), Catch::Contains("value -1"));
  CHECK(archive.get<std::int16_t>("wide").data == std::vector<std::int16_t>{5, 300});
  CHECK(std::isnan(archive.get<double>("nan").data[0]));  // to a float type, anything goes
}

TEST_CASE("defective npz files give one error naming the file and the array", "[npz]") {
  nf::test::TempDir tmp;
  const fs::path bad = tmp / "bad.npz";
  std::vector<double> data(12);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>(i);
  nf::NpzWriter writer(tmp / "good.npz");
  writer.add<double>("inputs", {3, 4}, data.data());
  writer.commit();
  const std::string good = read_bytes(tmp / "good.npz");
  const std::size_t central = good.find("PK\x01\x02");
  REQUIRE(central != std::string::npos);

  SECTION("missing file") { expect_read_error(tmp / "none.npz", {"cannot open"}); }
  SECTION("not a zip") {
    nf::write_npy<double>(bad, {3, 4}, data.data());  // a .npy file given where a .npz belongs
    expect_read_error(bad, {"not a .npz file (not a zip archive)"});
  }
  SECTION("empty file") {
    write_bytes(bad, "");
    expect_read_error(bad, {"not a zip archive"});
  }
  SECTION("truncated") {
    write_bytes(bad, good.substr(0, good.size() - 30));
    expect_read_error(bad, {"truncated zip archive"});
  }
  SECTION("truncated in the middle") {
    write_bytes(bad, good.substr(0, good.size() / 2));
    expect_read_error(bad, {"truncated zip archive"});
  }
  SECTION("CRC mismatch") {
    std::string b = good;
    b[central - 1] = static_cast<char>(b[central - 1] ^ 0x40);  // the last data byte
    write_bytes(bad, b);
    expect_read_error(bad, {"array 'inputs'", "CRC mismatch"});
  }
  SECTION("unsupported compression") {
    std::string b = good;
    b[central + 10] = 12;  // method 12: bzip2
    write_bytes(bad, b);
    expect_read_error(bad, {"array 'inputs'", "unsupported compression method 12"});
  }
  SECTION("corrupt deflate data") {
    run_python(tmp, R"(
np.savez_compressed(d + '/c.npz', inputs=np.zeros((50, 50)))
b = bytearray(open(d + '/c.npz', 'rb').read())
b[80] ^= 0xff
open(d + '/bad.npz', 'wb').write(b)
)");
    expect_read_error(bad, {"array 'inputs'"});
  }
  // A zip whose member 'inputs.npy' is `member`, a Python expression over `npy`: the
  // bytes np.save writes for zeros((3, 4)).
  const auto write_member = [&](const std::string& member) {
    run_python(tmp, fmt::format(R"(
import io
buf = io.BytesIO()
np.save(buf, np.zeros((3, 4)))
npy = buf.getvalue()
with zipfile.ZipFile(d + '/bad.npz', 'w') as z:
    z.writestr('inputs.npy', {})
)", member));
  };
  SECTION("malformed npy header") {
    write_member("npy[:6] + bytes([1, 0]) + struct.pack('<H', 22) + b\"{'descr': '<f8', 'shap\"");
    expect_read_error(bad, {"array 'inputs': header: unterminated string"});
  }
  SECTION("member that is not npy") {
    write_member("b'hello'");
    expect_read_error(bad, {"array 'inputs'", "not a .npy file"});
  }
  SECTION("data shorter than the shape") {
    write_member("npy[:-8]");
    expect_read_error(bad, {"array 'inputs'", "data section has 88 bytes, shape (3, 4) needs 96 (truncated)"});
  }
  SECTION("data longer than the shape") {
    write_member("npy + b'12345678'");
    expect_read_error(bad, {"array 'inputs'", "needs 96"});
  }
  SECTION("fortran_order True is read, in C order") {
    run_python(tmp, "np.savez(d + '/f.npz', inputs=np.asfortranarray(np.arange(12.0).reshape(3, 4)))");
    const std::string header = read_bytes(tmp / "f.npz");
    CHECK(header.find("'fortran_order': True") != std::string::npos);
    CHECK(nf::NpzArchive::read(tmp / "f.npz").get<double>("inputs").data == data);
  }
}

TEST_CASE("npz arrays that are missing or not numeric are named", "[npz]") {
  nf::test::TempDir tmp;
  run_python(tmp, R"(
np.savez(d + '/a.npz', inputs=np.zeros((2, 2)), words=np.array(['ab', 'c']), objects=np.array([{}, 1], dtype=object),
         complex=np.array([1j]), record=np.zeros(2, dtype=[('x', '<f8'), ('y', '<i4')]))
)");
  const auto archive = nf::NpzArchive::read(tmp / "a.npz");
  const std::string file = (tmp / "a.npz").string();
  CHECK_THROWS_WITH(archive.get<double>("targets"),
                    file + ": array 'targets' is missing (the file has: inputs, words, objects, complex, record)");
  CHECK_THROWS_AS(archive.shape("targets"), nf::InputError);
  CHECK(archive.dtype("words") == "<U2");
  for (const char* name : {"words", "objects", "complex", "record"}) {
    INFO(name);
    CHECK_THROWS_WITH(archive.get<double>(name),
                      Catch::StartsWith(fmt::format("{}: array '{}': dtype '", file, name)) &&
                          Catch::Contains("is not numeric"));
  }
}
