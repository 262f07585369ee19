#ifndef NF_STANDIN_HLS_STREAM_H_
#define NF_STANDIN_HLS_STREAM_H_
// Stand-in for Xilinx's hls::stream<T> (hls_stream.h), for building and
// C-simulating the HLS kernels with a plain C++14 compiler. Selected by
// nf_hls_types.h when Xilinx's headers are not on the include path.
//
// A subset, the one the kernels and testbenches use: an unbounded FIFO with
//   stream(), stream(name)         name used in error messages
//   write(x), s << x               append
//   read(), read(x), s >> x        take the oldest element
//   empty(), size()
// Not copyable (as on Xilinx). Unlike Xilinx's C model, which prints a
// warning and returns T() (and whose RTL would hang), reading an empty stream
// prints the stream's name on stderr and aborts: in a C-simulation that is
// always a testbench or kernel bug. tests/hls checks the round trip.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

namespace hls {

template <typename T>
class stream {
 public:
  stream() : name_("hls::stream (unnamed)") {}
  explicit stream(const char* name) : name_(name) {}
  explicit stream(const std::string& name) : name_(name) {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  void write(const T& x) { data_.push_back(x); }
  void operator<<(const T& x) { write(x); }

  T read() {
    if (data_.empty()) {
      std::fprintf(stderr, "hls::stream '%s' read while empty\n", name_.c_str());
      std::abort();
    }
    T x = data_.front();
    data_.pop_front();
    return x;
  }
  void read(T& x) { x = read(); }
  void operator>>(T& x) { read(x); }

  bool empty() const { return data_.empty(); }
  std::size_t size() const { return data_.size(); }

 private:
  std::string name_;
  std::deque<T> data_;
};

}  // namespace hls

#endif  // NF_STANDIN_HLS_STREAM_H_
