# End-to-end tests: each tests/e2e/test_*.py starts real jopayd processes and drives them with
# jopayctl and an HTTP client. Registered one ctest per file.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.py)
  foreach(test_file ${E2E_TESTS})
    get_filename_component(name ${test_file} NAME_WE)
    add_test(NAME e2e_${name}
             COMMAND ${Python3_EXECUTABLE} -m unittest -v ${name}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e)
    set_tests_properties(e2e_${name} PROPERTIES
      TIMEOUT 600
      ENVIRONMENT "JOPAYD=$<TARGET_FILE:jopayd>;JOPAYCTL=$<TARGET_FILE:jopayctl>")
  endforeach()
endif()

# The Stripe stand-in (tests/stripe) checked with the official stripe client.
find_program(NODE node)
if(NODE)
  add_test(NAME stripe_standin_selftest COMMAND ${NODE} ${CMAKE_SOURCE_DIR}/tests/stripe/selftest.js)
  set_tests_properties(stripe_standin_selftest PROPERTIES TIMEOUT 120)
endif()
