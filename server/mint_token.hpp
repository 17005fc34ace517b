// `socket-gateway mint-token`: prints an HS256/384/512 development token.
// Threading: main thread.
#pragma once

namespace sg::server {

// argv here starts after "mint-token". Returns the process exit code.
int mint_token(int argc, char** argv);

}  // namespace sg::server
