// Delivery accounting (see receive_tally.hpp).
#include "receive_tally.hpp"

#include "bench_client.hpp"

#include <charconv>

namespace loadgen {

namespace {

bool number_after(std::string_view text, std::string_view key, std::size_t& from, std::uint64_t& value) {
  const auto at = text.find(key, from);
  if (at == std::string_view::npos) return false;
  const char* first = text.data() + at + key.size();
  const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc()) return false;
  from = static_cast<std::size_t>(end - text.data());
  return true;
}

}  // namespace

bool parse_stamp(std::string_view event_array, std::uint64_t& t_ns, std::uint64_t& seq) {
  std::size_t from = 0;
  return number_after(event_array, "\"t\":", from, t_ns) && number_after(event_array, "\"seq\":", from, seq);
}

void ReceiveTally::reset(std::uint32_t repeat) {
  *this = ReceiveTally();
  repeat_ = repeat ? repeat : 1;
}

void ReceiveTally::record(BenchClient& client, std::string_view event_array, std::uint64_t now) {
  std::uint64_t t = 0;
  std::uint64_t seq = 0;
  if (!parse_stamp(event_array, t, seq)) {
    ++unparsed_;
    return;
  }
  // seq numbers start at 1, so last_seq == 0 means "nothing yet".
  if (seq == client.last_seq) {
    if (++client.same_seq_count > repeat_) {
      ++duplicates_;
      return;
    }
  } else {
    if (seq < client.last_seq) ++reordered_;
    else client.last_seq = seq;
    client.same_seq_count = 1;
  }
  const std::uint64_t step = seq / kStepStride;
  if (step != last_step_id_) {
    last_step_ = &steps_[step];
    last_step_id_ = step;
  }
  last_step_->latency.record(now > t ? now - t : 0);
  ++last_step_->received;
  ++received_;
  last_receive_ns_ = now;
}

std::string ReceiveTally::serialize() const {
  std::string out = std::to_string(received_) + " " + std::to_string(duplicates_) + " " + std::to_string(reordered_) +
                    " " + std::to_string(unparsed_);
  for (const auto& [step, tally] : steps_)
    out += " step=" + std::to_string(step) + ":" + std::to_string(tally.received) + ":" + tally.latency.serialize();
  return out;
}

}  // namespace loadgen
