// Flag parsing for the load generator (see options.hpp and README.md).
#include "options.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace loadgen {

namespace {

constexpr const char* kUsage = R"(usage: sg-loadgen --mode MODE --port P [options]   (JSON lines on stdout)
modes: connect | idle | fanout | user-ladder | rooms-ladder
common:   --host 127.0.0.1 --port P --server-pid PID --label NAME --secret S (or env BENCH_JWT_SECRET)
          --admin-port P2  (the admin connects there: another node of a cluster; default --port)
          --clients N --processes K --window W --connect-timeout SEC
connect:  --bad-signature            (every client's token is signed wrongly; refusals are counted)
idle:     --hold SEC --settle SEC
fanout:   --messages M --burst-repeat R --bursts B --payload BYTES --message-timeout SEC
ladders:  --rates 1000,2000,... --step SEC --drain SEC --max-p99-ms 500 --min-delivered 0.99 --payload BYTES
rooms-ladder: --rooms 1000x10 | 1x5000,999x5   (COUNTxSIZE groups; clients = sum of COUNT*SIZE)
)";

std::vector<double> parse_rates(const std::string& text) {
  std::vector<double> rates;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) rates.push_back(std::stod(item));
  return rates;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> parse_rooms(const std::string& text) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> groups;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto x = item.find('x');
    if (x == std::string::npos) throw std::invalid_argument("--rooms groups are COUNTxSIZE");
    groups.emplace_back(std::stoul(item.substr(0, x)), std::stoul(item.substr(x + 1)));
  }
  return groups;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int& exit_code) {
  Options options;
  if (const char* secret = std::getenv("BENCH_JWT_SECRET")) options.secret = secret;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--help" || flag == "-h") {
        std::cerr << kUsage;
        exit_code = 0;
        return std::nullopt;
      }
      if (flag == "--bad-signature") {
        options.bad_signature = true;
        continue;
      }
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      const std::string value = argv[++i];
      if (flag == "--mode") options.mode = value;
      else if (flag == "--host") options.host = value;
      else if (flag == "--port") options.port = std::stoi(value);
      else if (flag == "--admin-port") options.admin_port = std::stoi(value);
      else if (flag == "--server-pid") options.server_pid = std::stoi(value);
      else if (flag == "--label") options.label = value;
      else if (flag == "--secret") options.secret = value;
      else if (flag == "--clients") options.clients = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--processes") options.processes = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--window") options.window = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--connect-timeout") options.connect_timeout_s = std::stod(value);
      else if (flag == "--hold") options.hold_s = std::stod(value);
      else if (flag == "--settle") options.settle_s = std::stod(value);
      else if (flag == "--messages") options.messages = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--burst-repeat") options.burst_repeat = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--bursts") options.bursts = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--payload") options.payload_bytes = static_cast<std::uint32_t>(std::stoul(value));
      else if (flag == "--message-timeout") options.message_timeout_s = std::stod(value);
      else if (flag == "--rates") options.rates = parse_rates(value);
      else if (flag == "--step") options.step_s = std::stod(value);
      else if (flag == "--drain") options.drain_s = std::stod(value);
      else if (flag == "--max-p99-ms") options.max_p99_ms = std::stod(value);
      else if (flag == "--min-delivered") options.min_delivered = std::stod(value);
      else if (flag == "--rooms") options.rooms = parse_rooms(value);
      else throw std::invalid_argument("unknown flag " + flag);
    }
    if (options.mode != "connect" && options.mode != "idle" && options.mode != "fanout" &&
        options.mode != "user-ladder" && options.mode != "rooms-ladder")
      throw std::invalid_argument("--mode must be connect, idle, fanout, user-ladder or rooms-ladder");
    if (options.port <= 0) throw std::invalid_argument("--port is required");
    if (options.secret.empty()) throw std::invalid_argument("--secret or BENCH_JWT_SECRET is required");
    if (options.mode == "rooms-ladder") {
      if (options.rooms.empty()) options.rooms = {{1000, 10}};
      std::uint32_t total = 0;
      for (auto [count, size] : options.rooms) total += count * size;
      options.clients = total;
    }
    if ((options.mode == "user-ladder" || options.mode == "rooms-ladder") && options.rates.empty())
      options.rates = {1000, 2000, 5000, 10000, 20000, 50000};
    if (options.processes == 0 || options.processes > options.clients) options.processes = 1;
    if (options.window == 0) options.window = 1;
  } catch (const std::exception& error) {
    std::cerr << "sg-loadgen: " << error.what() << "\n" << kUsage;
    exit_code = 2;
    return std::nullopt;
  }
  exit_code = 0;
  return options;
}

}  // namespace loadgen
