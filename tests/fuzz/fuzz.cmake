# Fuzz targets (tests/fuzz/README.md): tests/fuzz/<name>_fuzz.cc, each a libFuzzer
# LLVMFuzzerTestOneInput, built one of two ways:
#  - normal builds: linked with replay_main.cc and registered as the ctest fuzz_replay_<name>,
#    which runs every file of tests/fuzz/corpus/<name>/ and tests/fuzz/crashes/<name>/ once
#    (scripts/test runs it with the other tests);
#  - -DJOPAY_FUZZ=ON with clang (scripts/fuzz, into build-fuzz/): the libraries compiled with
#    coverage and sanitizers, the targets linked with libFuzzer's own main.
# Binaries land in <build>/fuzz/<name>_fuzz.
option(JOPAY_FUZZ "Build the fuzz targets with libFuzzer, ASan and UBSan (clang only)" OFF)

if(JOPAY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "JOPAY_FUZZ needs clang (libFuzzer): CMAKE_CXX_COMPILER=clang++-14")
  endif()
  # -fno-sanitize-recover: undefined behaviour aborts, so the fuzzer keeps it as a crash.
  set(JOPAY_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                       -fno-omit-frame-pointer)
  # Our libraries get coverage instrumentation but not libFuzzer's main (fuzzer-no-link);
  # anything linking them gets the sanitizer runtimes. SQLite stays as it is: its own fuzzing
  # is far beyond ours, and its edges would drown ours in the coverage the fuzzer steers by.
  foreach(lib jopay_common jopay_daemon jopay_cli)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link ${JOPAY_SANITIZERS})
    target_link_options(${lib} INTERFACE -fsanitize=address,undefined)
  endforeach()
endif()

# jopay_fuzz_target(NAME LIBS lib... [SOURCES extra.cc...]): tests/fuzz/NAME_fuzz.cc, linked
# with only the libraries it needs, so that a replay binary links quickly.
function(jopay_fuzz_target name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LIBS;SOURCES")
  set(exe ${name}_fuzz)
  list(TRANSFORM arg_SOURCES PREPEND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/)
  add_executable(${exe} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${exe}.cc ${arg_SOURCES})
  target_link_libraries(${exe} PRIVATE ${arg_LIBS})
  set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  if(JOPAY_FUZZ)
    target_compile_options(${exe} PRIVATE -fsanitize=fuzzer ${JOPAY_SANITIZERS})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(${exe} PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/replay_main.cc)
    set(dir ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
    add_test(NAME fuzz_replay_${name} COMMAND ${exe} ${dir}/corpus/${name} ${dir}/crashes/${name})
    set_tests_properties(fuzz_replay_${name} PROPERTIES TIMEOUT 120)
  endif()
endfunction()

jopay_fuzz_target(public_http LIBS jopay_daemon SOURCES face_fixture.cc)
jopay_fuzz_target(hosted_form LIBS jopay_daemon SOURCES face_fixture.cc)
jopay_fuzz_target(import_line LIBS jopay_daemon jopay_cli SOURCES face_fixture.cc)
jopay_fuzz_target(signature_headers LIBS jopay_daemon)
jopay_fuzz_target(period_math LIBS jopay_common)
