#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, and runs every test
# with ctest. ctest itself starts two local Ceph RADOS Gateways (fixture
# "rgw") for the integration tests and stops them at the end.
#   tools/test.sh            # everything
#   tools/test.sh -L unit    # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"
