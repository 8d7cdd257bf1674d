# What `make install` puts where, and the Debian package CPack makes of it (scripts/package).
# Included by CMakeLists.txt after man/man.cmake (it installs the pages that builds).
#
# Layout (Debian's): /usr/sbin/jopayd, /usr/bin/jopayctl, man pages gzipped, completions where
# bash, zsh and fish look, the systemd unit, /etc/jopay/jopayd.conf as a conffile. The jopay
# user and group, /var/lib/jopay and /run/jopay come from the maintainer scripts and the unit.

install(TARGETS jopayd RUNTIME DESTINATION sbin)
install(TARGETS jopayctl RUNTIME DESTINATION bin)

# Man pages, compressed as Debian wants them (gzip -9n: no name or time inside).
foreach(page ${JOPAY_MAN_PAGES})
  get_filename_component(name ${page} NAME)
  string(REGEX MATCH "[0-9]$" section "${name}")
  install(CODE "execute_process(COMMAND gzip -9nc \"${page}\"
                                OUTPUT_FILE \"${CMAKE_BINARY_DIR}/man/${name}.gz\")")
  install(FILES ${CMAKE_BINARY_DIR}/man/${name}.gz DESTINATION share/man/man${section})
endforeach()

install(FILES completions/jopayctl.bash DESTINATION share/bash-completion/completions
        RENAME jopayctl)
install(FILES completions/_jopayctl DESTINATION share/zsh/vendor-completions)
install(FILES completions/jopayctl.fish DESTINATION share/fish/vendor_completions.d)
install(FILES packaging/jopayd.service DESTINATION /lib/systemd/system)
install(FILES packaging/jopayd.conf DESTINATION /etc/jopay)
install(FILES packaging/debian/copyright DESTINATION share/doc/jopay)
install(CODE "execute_process(COMMAND gzip -9nc \"${CMAKE_SOURCE_DIR}/packaging/debian/changelog\"
                              OUTPUT_FILE \"${CMAKE_BINARY_DIR}/changelog.gz\")")
install(FILES ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION share/doc/jopay)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jopay)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "JoPay maintainers <maintainers@jopay.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted subscription billing daemon")
set(CPACK_PACKAGE_DESCRIPTION "jopayd bills subscriptions: it owns an SQLite store and the\n\
billing clock (renewals, trials, dunning, expiry), serves a checkout API,\n\
hosted checkout and portal pages and payment providers' callbacks, and sends\n\
signed webhooks. jopayctl operates it over a Unix socket.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
