#!/usr/bin/env bash
# Builds examples/consumer against one form of Strata and runs it for one epoch:
#   consumer_test.sh install    <strata build> <work dir>  cmake --install into <work dir>, then
#                                                          find_package and pkg-config against it
#   consumer_test.sh build-tree <strata build> <work dir>  find_package with strata_DIR=<strata build>
#   consumer_test.sh deb        <strata build> <work dir>  cpack's .deb, apt-get installed, then removed
# The library is never rebuilt: the install and the package come from the build the suite tests.
set -euo pipefail
mode=$1
strata_build=$(cd "$2" && pwd)
work=$3
consumer_source=$(cd "$(dirname "$0")/../../examples/consumer" && pwd)
skip=77   # the test's SKIP_RETURN_CODE

rm -rf "$work"
mkdir -p "$work"
configure=(cmake -S "$consumer_source" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release)

case "$mode" in
  install)
    cmake --install "$strata_build" --prefix "$work/prefix" > "$work/install.log"
    echo "installed into $work/prefix:"
    (cd "$work/prefix" && find . -type f -not -path './include/strata/*' | sort && \
      echo "./include/strata: $(find include/strata -name '*.hpp' | wc -l) headers")
    "${configure[@]}" -DCMAKE_PREFIX_PATH="$work/prefix"
    ;;
  build-tree)
    "${configure[@]}" -Dstrata_DIR="$strata_build"
    ;;
  deb)
    if [ "${STRATA_TEST_DEB:-0}" != 1 ]; then
      echo "skipped: installs a package into /usr; set STRATA_TEST_DEB=1 (as .ci/run does) to run it"
      exit $skip
    fi
    if [ "$(id -u)" -ne 0 ]; then
      echo "skipped: apt-get install needs root"
      exit $skip
    fi
    if dpkg-query -W -f='${Status}' libstrata-dev 2>/dev/null | grep -q "install ok installed"; then
      echo "skipped: libstrata-dev is already installed here, and this test would remove it"
      exit $skip
    fi
    (cd "$strata_build" && cpack -G DEB -B "$work/deb" > "$work/cpack.log")
    deb=$(ls "$work"/deb/libstrata-dev_*.deb)
    dpkg-deb --info "$deb" | grep -E "Package|Version|Depends"
    trap 'apt-get remove -y -q libstrata-dev > /dev/null' EXIT
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > "$work/apt.log"
    echo "installed $(basename "$deb"): $(dpkg -L libstrata-dev | grep -c 'include/strata/.*\.hpp$') headers"
    "${configure[@]}"
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac

cmake --build "$work/consumer"
"$work/consumer/consumer" 1

if [ "$mode" = install ]; then
  # The same program built by hand from the pkg-config file.
  PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name strata.pc)")
  export PKG_CONFIG_PATH
  # shellcheck disable=SC2046  # pkg-config's output is a list of flags
  g++ -O2 "$consumer_source/main.cpp" -o "$work/consumer_pkg_config" $(pkg-config --cflags --libs --static strata)
  # A shared libstrata outside the loader's path is found as a pkg-config user finds it.
  LD_LIBRARY_PATH="$(pkg-config --variable=libdir strata)" "$work/consumer_pkg_config" 1
fi
