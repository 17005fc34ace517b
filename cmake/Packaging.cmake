# The Debian package of the standalone server (`make deb`, with -DSG_PACKAGE_DEB=ON): CPack's DEB
# generator packs /usr/bin/socket-gateway, the systemd unit socket-gateway.service, its settings
# file /etc/default/socket-gateway (a conffile) and the man page socket-gateway(1) made from
# `socket-gateway --help` by help2man. Depends: comes from dpkg-shlibdeps, so it names exactly
# the Debian libraries the binary links (libc6, libstdc++6, libgcc-s1, libssl3, libhiredis0.14
# when Boost is linked statically, as `make deb` does). Files: packaging/deb/.
option(SG_PACKAGE_DEB "Set up the man page and CPack for the Debian package of the server" OFF)
if(NOT SG_PACKAGE_DEB OR NOT TARGET socket-gateway)
  return()
endif()

find_program(HELP2MAN help2man REQUIRED)
set(deb_dir ${PROJECT_SOURCE_DIR}/packaging/deb)
set(man_page ${CMAKE_BINARY_DIR}/socket-gateway.1)
add_custom_command(
  OUTPUT ${man_page}.gz
  COMMAND ${HELP2MAN} --no-info --section=1 --locale=C.UTF-8 --output=${man_page}
          "--name=Socket.IO v5 push gateway with JWT auth and an HTTP API"
          --include=${deb_dir}/socket-gateway.h2m $<TARGET_FILE:socket-gateway>
  COMMAND gzip -9nf ${man_page}
  DEPENDS socket-gateway ${deb_dir}/socket-gateway.h2m
  COMMENT "Writing the man page socket-gateway(1)")
add_custom_target(socket-gateway-man ALL DEPENDS ${man_page}.gz)

install(FILES ${deb_dir}/socket-gateway.service DESTINATION lib/systemd/system)
install(FILES ${deb_dir}/socket-gateway.default DESTINATION /etc/default RENAME socket-gateway)
install(FILES ${man_page}.gz DESTINATION share/man/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME socket-gateway)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Socket.IO v5 push gateway with JWT auth and an HTTP API")
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "A Socket.IO server written in C++20: clients connect with the standard Socket.IO clients and a
JWT, and backend services push events to users, rooms or everyone through its HTTP API.
Settings: /etc/default/socket-gateway; service: socket-gateway.service.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Socket Gateway developers")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${deb_dir}/conffiles ${deb_dir}/postinst ${deb_dir}/prerm ${deb_dir}/postrm)
include(CPack)
