// Development token minting (see mint_token.hpp): claims sub, iat, exp and any --claim k=v
// (a value that parses as JSON is used as JSON, else as a string).
// Threading: main thread.
#include "mint_token.hpp"

#include "auth/jwt_verifier.hpp"

#include <boost/json/parse.hpp>
#include <boost/program_options.hpp>

#include <chrono>
#include <iostream>

namespace sg::server {

namespace po = boost::program_options;

int mint_token(int argc, char** argv) {
  po::options_description options("socket-gateway mint-token options");
  options.add_options()
      ("help", "print this help")
      ("jwt-secret", po::value<std::string>(), "HMAC secret (or SOCKET_GATEWAY_JWT_SECRET)")
      ("sub", po::value<std::string>(), "the user id (claim sub)")
      ("ttl", po::value<long>()->default_value(3600), "seconds until exp")
      ("alg", po::value<std::string>()->default_value("HS256"), "HS256, HS384 or HS512")
      ("claim", po::value<std::vector<std::string>>()->composing(), "extra claim k=v (repeatable)");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "mint-token: " << error.what() << "\n" << options << "\n";
    return 2;
  }
  if (values.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  std::string secret;
  if (values.count("jwt-secret")) secret = values["jwt-secret"].as<std::string>();
  else if (const char* env = std::getenv("SOCKET_GATEWAY_JWT_SECRET")) secret = env;
  if (secret.empty() || !values.count("sub")) {
    std::cerr << "mint-token: --jwt-secret (or SOCKET_GATEWAY_JWT_SECRET) and --sub are required\n";
    return 2;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  boost::json::object claims{{"sub", values["sub"].as<std::string>()}, {"iat", now}, {"exp", now + values["ttl"].as<long>()}};
  if (values.count("claim")) {
    for (const auto& pair : values["claim"].as<std::vector<std::string>>()) {
      const auto eq = pair.find('=');
      if (eq == std::string::npos) {
        std::cerr << "mint-token: --claim takes k=v, got " << pair << "\n";
        return 2;
      }
      boost::system::error_code ec;
      auto value = boost::json::parse(pair.substr(eq + 1), ec);
      if (ec) value = boost::json::string(pair.substr(eq + 1));
      claims[pair.substr(0, eq)] = std::move(value);
    }
  }
  try {
    std::cout << auth::sign_hs_token(claims, secret, values["alg"].as<std::string>()) << "\n";
  } catch (const std::exception& error) {
    std::cerr << "mint-token: " << error.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace sg::server
