# Static linking of the third-party libraries, for binaries that must run where those libraries
# are not installed. Included by the top-level CMakeLists.txt before its find_package calls.
#
#   SG_STATIC_BOOST  Boost statically (the .deb: its binary then depends on Debian's libssl3
#                    and libhiredis only)
#   SG_STATIC_DEPS   Boost, OpenSSL (libssl, libcrypto) and hiredis statically (the wheel: every
#                    ELF file in it needs only what the manylinux policy allows)
#
# Boost.Program_options comes from Debian's archive; Boost.JSON is compiled here from
# boost/json/src.hpp (cmake/boost_json_src.cpp), since Debian's libboost_json.a is built for
# executables and cannot go into a shared object (the Python extension). Both modes do the same
# for Boost, so `make wheel` and `make deb` compile the layers with the same flags (one ccache
# entry each). The Python extension links with --exclude-libs,ALL: its static copies stay private.
# Debian's -dev packages ship the archives (libboost-*1.81-dev, libssl-dev, libhiredis-dev).
option(SG_STATIC_BOOST "Link Boost statically" OFF)
option(SG_STATIC_DEPS "Link Boost, OpenSSL and hiredis statically (the wheel)" OFF)

if(SG_STATIC_BOOST OR SG_STATIC_DEPS)
  set(Boost_USE_STATIC_LIBS ON)
  # Defined before find_package(Boost): Boost's boost_json-config.cmake then keeps this target.
  add_library(sg_boost_json STATIC ${CMAKE_CURRENT_LIST_DIR}/boost_json_src.cpp)
  target_link_libraries(sg_boost_json PUBLIC Boost::headers)
  add_library(Boost::json ALIAS sg_boost_json)
endif()
if(SG_STATIC_DEPS)
  set(OPENSSL_USE_STATIC_LIBS ON)
  # pkg_check_modules resolves hiredis's -lhiredis with find_library: only archives qualify.
  set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
endif()
