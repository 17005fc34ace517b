// The log of recoverable emits (see recovery_log.hpp).
// Threading: any thread, under the log's mutex.
#include "recovery_log.hpp"

#include "emit_filter.hpp"

#include <algorithm>
#include <charconv>

namespace sg::sio {

namespace {

std::size_t bytes_of(const LoggedEmit& entry) {
  std::size_t bytes = sizeof(LoggedEmit) + entry.encoded.head->websocket_frame().size();
  for (const auto& attachment : entry.encoded.attachments) bytes += attachment->websocket_frame().size();
  for (const auto& room : entry.rooms) bytes += room.size();
  for (const auto& room : entry.except_rooms) bytes += room.size();
  return bytes;
}

}  // namespace

RecoveryLog::RecoveryLog(std::chrono::milliseconds window, std::size_t max_bytes, GatewayMetrics& metrics)
    : window_(window), max_bytes_(max_bytes), metrics_(metrics) {}

EncodedEmit RecoveryLog::append(std::size_t nsp_index, const std::vector<std::string>& rooms,
                                const std::vector<std::string>& except_rooms,
                                const std::function<EncodedEmit(std::string_view offset)>& encode) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  const std::uint64_t seq = next_seq_++;
  LoggedEmit entry{nsp_index, rooms, except_rooms, encode(offset_text(seq)), now, 0};
  entry.encoded.seq = seq;
  entry.bytes = bytes_of(entry);
  bytes_ += entry.bytes;
  EncodedEmit encoded = entry.encoded;
  entries_.push_back(std::move(entry));
  drop_old(now);
  metrics_.recovery_log_packets.store(static_cast<std::int64_t>(entries_.size()), std::memory_order_relaxed);
  metrics_.recovery_log_bytes.store(static_cast<std::int64_t>(bytes_), std::memory_order_relaxed);
  return encoded;
}

void RecoveryLog::drop_old(std::chrono::steady_clock::time_point now) {
  while (!entries_.empty()) {
    const LoggedEmit& oldest = entries_.front();
    const bool too_old = now - oldest.emitted_at > window_;
    const bool over_budget = bytes_ > max_bytes_ && entries_.size() > 1;
    if (!too_old && !over_budget) return;
    if (!too_old) {
      dropped_for_bytes_through_ = oldest.encoded.seq;
      GatewayMetrics::add(metrics_.recovery_packets_dropped);
    }
    bytes_ -= oldest.bytes;
    entries_.pop_front();
  }
}

std::uint64_t RecoveryLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

std::optional<RecoveryLog::Missed> RecoveryLog::missed_after(std::uint64_t after_seq, std::size_t nsp_index,
                                                             const std::vector<std::string>& rooms) {
  std::lock_guard lock(mutex_);
  const std::uint64_t last = next_seq_ - 1;
  if (after_seq > last || after_seq < dropped_for_bytes_through_) return std::nullopt;
  Missed missed{{}, last};
  auto first = std::lower_bound(entries_.begin(), entries_.end(), after_seq + 1,
                                [](const LoggedEmit& entry, std::uint64_t seq) { return entry.encoded.seq < seq; });
  for (auto it = first; it != entries_.end(); ++it) {
    if (it->nsp_index == nsp_index && would_receive(it->rooms, it->except_rooms, rooms)) missed.emits.push_back(it->encoded);
  }
  return missed;
}

std::string RecoveryLog::offset_text(std::uint64_t seq) { return std::to_string(seq); }

std::optional<std::uint64_t> RecoveryLog::parse_offset(std::string_view text) {
  std::uint64_t seq = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return seq;
}

}  // namespace sg::sio
