# sg_layer(NAME <layer> [DEPS <targets>...])
#
# Declares one layer of the core as a static library `sg_<layer>` built from
# src/<layer>/*.cpp. Its public headers live in src/<layer>/include/<layer>/ and are
# included as "<layer>/name.hpp". Only the include directories of the layer itself and of
# the layers it links are visible, which is what makes an upward include fail to build.
function(sg_layer)
  cmake_parse_arguments(ARG "" "NAME" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(target sg_${ARG_NAME})
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                         PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
endfunction()
