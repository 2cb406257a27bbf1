# Run by `cmake --install` (packaging/CMakeLists.txt): each unit and timer of
# this folder, its ExecStart's /usr/local/bin/s5j replaced by the path the
# binary is installed to, written to the build tree and installed from
# there (DESTDIR applies as to any installed file).
function(s5j_under_prefix out path)
  if(IS_ABSOLUTE "${path}")
    set(${out} "${path}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${path}" PARENT_SCOPE)
  endif()
endfunction()

s5j_under_prefix(binary "${S5J_INSTALL_BINDIR}/s5j")
s5j_under_prefix(unit_dir "${S5J_SYSTEMD_UNIT_DIR}")
file(GLOB units "${S5J_UNIT_SOURCE_DIR}/*.service" "${S5J_UNIT_SOURCE_DIR}/*.timer")
foreach(unit IN LISTS units)
  get_filename_component(name "${unit}" NAME)
  file(READ "${unit}" text)
  string(REPLACE "/usr/local/bin/s5j " "${binary} " text "${text}")
  file(WRITE "${S5J_UNIT_WORK_DIR}/${name}" "${text}")
  file(INSTALL DESTINATION "${unit_dir}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${S5J_UNIT_WORK_DIR}/${name}")
endforeach()
