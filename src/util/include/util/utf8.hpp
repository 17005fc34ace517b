// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
// for WebSocket text messages and close reasons.
// Threading: pure function; any thread.
#pragma once

#include <string_view>

namespace sg {

bool is_valid_utf8(std::string_view text);

}  // namespace sg
