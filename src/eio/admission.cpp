// The limits on new sessions (see admission.hpp).
// Threading: any thread, under the Admission's lock.
#include "eio/admission.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace sg::eio {

namespace {
// Addresses with no session and a full bucket are dropped once the table grows this big.
constexpr std::size_t kAddressesBeforeSweep = 4096;
}  // namespace

std::size_t default_max_connections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return std::max<std::size_t>(64, static_cast<std::size_t>(limit.rlim_cur) / 10 * 9);
}

double Admission::burst() const {
  return limits_.handshake_burst > 0 ? limits_.handshake_burst : std::max(1.0, 2 * limits_.handshakes_per_second);
}

Admission::Refusal Admission::refuse(Refusal reason) {
  refused_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  return reason;
}

Admission::Refusal Admission::check(std::string_view address) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (limits_.max_connections > 0 && sessions_ >= limits_.max_connections) return refuse(Refusal::server_full);
  if (limits_.max_connections_per_address == 0 && limits_.handshakes_per_second <= 0) return Refusal::none;
  if (addresses_.size() >= kAddressesBeforeSweep) forget_idle(now);
  auto [it, inserted] = addresses_.try_emplace(std::string(address));
  PerAddress& entry = it->second;
  if (inserted) entry = PerAddress{0, burst(), now};
  if (limits_.max_connections_per_address > 0 && entry.sessions >= limits_.max_connections_per_address)
    return refuse(Refusal::address_full);
  if (limits_.handshakes_per_second > 0) {
    const double elapsed = std::chrono::duration<double>(now - entry.refilled).count();
    entry.tokens = std::min(burst(), entry.tokens + elapsed * limits_.handshakes_per_second);
    entry.refilled = now;
    if (entry.tokens < 1) return refuse(Refusal::handshake_rate);
    entry.tokens -= 1;
  }
  return Refusal::none;
}

void Admission::opened(std::string_view address) {
  std::lock_guard lock(mutex_);
  ++sessions_;
  if (limits_.max_connections_per_address == 0 && limits_.handshakes_per_second <= 0) return;
  auto [it, inserted] = addresses_.try_emplace(std::string(address));
  if (inserted) it->second = PerAddress{0, burst(), std::chrono::steady_clock::now()};
  ++it->second.sessions;
}

void Admission::closed(std::string_view address) {
  std::lock_guard lock(mutex_);
  if (sessions_ > 0) --sessions_;
  const auto it = addresses_.find(std::string(address));
  if (it != addresses_.end() && it->second.sessions > 0) --it->second.sessions;
}

void Admission::forget_idle(std::chrono::steady_clock::time_point now) {
  std::erase_if(addresses_, [&](const auto& entry) {
    const PerAddress& state = entry.second;
    const double refill = std::chrono::duration<double>(now - state.refilled).count() * limits_.handshakes_per_second;
    return state.sessions == 0 && (limits_.handshakes_per_second <= 0 || state.tokens + refill >= burst());
  });
}

}  // namespace sg::eio
