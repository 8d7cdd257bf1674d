# Man pages and completion checks. Included by CMakeLists.txt; also run as a
# script (cmake -DMODE=... -P man/man.cmake) by the rules it defines:
#
#   MODE=render       splice `jopayctl __man-commands` into jopayctl.1.scd.in
#                     at the line @COMMANDS@, set @VERSION@, run scdoc
#   MODE=scdoc        IN.scd -> OUT through scdoc (a static page)
#   MODE=lint         mandoc -T lint -W warning on PAGES (a ;-list); fails on
#                     any warning except "skipping paragraph macro", which
#                     scdoc's own output always draws (a .PP after every .SH
#                     and at each blank line inside an indented block)
#   MODE=completions  regenerate the bash, zsh and fish scripts and fail if
#                     they differ from the copies checked into completions/
#
# Building (target `man`, part of all) turns man/jopayctl.1.scd.in and every
# static man/*.scd into build/man/<name>.<section> when scdoc is found; the
# ctest man_lint runs `mandoc -T lint -W warning` on them when mandoc is found.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.25)
  if(MODE STREQUAL "render")
    execute_process(COMMAND ${JOPAYCTL} __man-commands
                    OUTPUT_VARIABLE commands RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "jopayctl __man-commands failed (${rc})")
    endif()
    file(READ ${IN} page)
    string(REPLACE "@COMMANDS@" "${commands}" page "${page}")
    string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
    file(WRITE ${OUT}.scd "${page}")
    execute_process(COMMAND ${SCDOC} INPUT_FILE ${OUT}.scd OUTPUT_FILE ${OUT}
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      file(REMOVE ${OUT})
      message(FATAL_ERROR "scdoc failed on ${OUT}.scd")
    endif()
  elseif(MODE STREQUAL "scdoc")
    execute_process(COMMAND ${SCDOC} INPUT_FILE ${IN} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      file(REMOVE ${OUT})
      message(FATAL_ERROR "scdoc failed on ${IN}")
    endif()
  elseif(MODE STREQUAL "lint")
    string(REPLACE "\\;" ";" PAGES "${PAGES}")  # add_test passes the list escaped
    execute_process(COMMAND ${MANDOC} -T lint -W warning ${PAGES}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err)
    string(REPLACE "\n" ";" lines "${out}${err}")
    list(FILTER lines EXCLUDE REGEX "skipping paragraph macro|^$")
    if(lines)
      list(JOIN lines "\n" report)
      message(FATAL_ERROR "mandoc lint:\n${report}")
    endif()
  elseif(MODE STREQUAL "completions")
    set(stale "")
    foreach(pair "bash=jopayctl.bash" "zsh=_jopayctl" "fish=jopayctl.fish")
      string(REPLACE "=" ";" pair "${pair}")
      list(GET pair 0 shell)
      list(GET pair 1 file)
      execute_process(COMMAND ${JOPAYCTL} completion ${shell}
                      OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
      file(READ ${SRC}/completions/${file} checked_in)
      if(NOT rc EQUAL 0 OR NOT generated STREQUAL checked_in)
        list(APPEND stale "completions/${file}")
      endif()
    endforeach()
    if(stale)
      message(FATAL_ERROR "out of date: ${stale}; regenerate with\n"
              "  for s in bash zsh fish; do build/jopayctl completion $s; done\n"
              "(jopayctl.bash, _jopayctl, jopayctl.fish)")
    endif()
  else()
    message(FATAL_ERROR "man.cmake: unknown MODE '${MODE}'")
  endif()
  return()
endif()

add_test(NAME completions_up_to_date
         COMMAND ${CMAKE_COMMAND} -DMODE=completions -DJOPAYCTL=$<TARGET_FILE:jopayctl>
                 -DSRC=${CMAKE_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_FILE})

find_program(SCDOC scdoc)
find_program(MANDOC mandoc)
if(NOT SCDOC)
  message(STATUS "scdoc not found: man pages will not be built")
  return()
endif()

set(JOPAY_MAN_DIR ${CMAKE_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${JOPAY_MAN_DIR})
set(JOPAY_MAN_PAGES ${JOPAY_MAN_DIR}/jopayctl.1)

add_custom_command(
  OUTPUT ${JOPAY_MAN_DIR}/jopayctl.1
  COMMAND ${CMAKE_COMMAND} -DMODE=render -DJOPAYCTL=$<TARGET_FILE:jopayctl>
          -DSCDOC=${SCDOC} -DVERSION=${PROJECT_VERSION}
          -DIN=${CMAKE_SOURCE_DIR}/man/jopayctl.1.scd.in -DOUT=${JOPAY_MAN_DIR}/jopayctl.1
          -P ${CMAKE_CURRENT_LIST_FILE}
  DEPENDS jopayctl ${CMAKE_SOURCE_DIR}/man/jopayctl.1.scd.in ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Generating man/jopayctl.1")

# Static pages: man/NAME.SECTION.scd -> build/man/NAME.SECTION.
file(GLOB JOPAY_STATIC_SCD CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.scd)
foreach(scd ${JOPAY_STATIC_SCD})
  get_filename_component(page ${scd} NAME)
  string(REGEX REPLACE "\\.scd$" "" page "${page}")
  add_custom_command(
    OUTPUT ${JOPAY_MAN_DIR}/${page}
    COMMAND ${CMAKE_COMMAND} -DMODE=scdoc -DSCDOC=${SCDOC} -DIN=${scd}
            -DOUT=${JOPAY_MAN_DIR}/${page} -P ${CMAKE_CURRENT_LIST_FILE}
    DEPENDS ${scd} ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "Generating man/${page}")
  list(APPEND JOPAY_MAN_PAGES ${JOPAY_MAN_DIR}/${page})
endforeach()

add_custom_target(man ALL DEPENDS ${JOPAY_MAN_PAGES})

if(MANDOC)
  string(REPLACE ";" "\\;" pages "${JOPAY_MAN_PAGES}")
  add_test(NAME man_lint
           COMMAND ${CMAKE_COMMAND} -DMODE=lint -DMANDOC=${MANDOC} "-DPAGES=${pages}"
                   -P ${CMAKE_CURRENT_LIST_FILE})
else()
  message(STATUS "mandoc not found: the man_lint test is skipped")
endif()
