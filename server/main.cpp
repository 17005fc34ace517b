// socket-gateway: the standalone server. `socket-gateway [options]` serves;
// `socket-gateway mint-token …` prints a development token.
// Threading: the main thread parses, then waits for signals while the shards serve.
#include "mint_token.hpp"
#include "serve.hpp"
#include "server_config.hpp"

#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "mint-token") == 0) return sg::server::mint_token(argc - 1, argv + 1);
  int exit_code = 0;
  const auto config = sg::server::parse_server_config(argc, argv, exit_code);
  if (!config) return exit_code;
  return sg::server::serve(*config);
}
