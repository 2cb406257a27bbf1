#!/usr/bin/env bash
# Builds the Debian package dist/s5j_VERSION_ARCH.deb from this checkout:
# the tracked files are copied to a scratch directory (the checkout stays
# clean), debian/changelog is written there with the version, and
# dpkg-buildpackage builds the binary package (debian/rules: the project's
# CMake install without tests).
#
#   tools/package.sh             # -> dist/s5j_<version>_<arch>.deb
#   tools/package.sh --out DIR   # -> DIR/s5j_<version>_<arch>.deb
# It prints the package's path as its last line.
#
# Files not yet committed (but not ignored) are packaged too, and the
# version then says ".dirty" if tracked files changed.
#
# The version follows `s5j --version` (cmake/build_version.cmake): a release
# tag v1.2.3 gives 1.2.3 (1.2.3+N.gHASH after it); before the first tag it
# is the project version plus the commit count and commit
# (0.1.0+git412.1a2b3c4d5e6f), so later commits sort later; ".dirty" marks
# uncommitted changes. Needs debhelper, dpkg-dev and fakeroot
# (tools/install-deps.sh).
set -euo pipefail
die() { echo "package.sh: $*" >&2; exit 1; }
out=""
case "${1:-}" in
  --out) [ -n "${2:-}" ] || die "--out needs a directory"; out=$(realpath -m "$2") ;;
  "") ;;
  *) die "unknown argument '$1' (usage: tools/package.sh [--out DIR])" ;;
esac
cd "$(dirname "$0")/.."
out=${out:-$PWD/dist}

git rev-parse --git-dir >/dev/null 2>&1 || die "not a git checkout: run it in the s5jtransfer repository"
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage missing: run tools/install-deps.sh"
commit=$(git rev-parse HEAD)
project_version=$(sed -n 's/^project(s5jtransfer VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$project_version" ] || die "no project(... VERSION ...) in CMakeLists.txt"
if described=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
  version=$(echo "${described#v}" | sed -E 's/-([0-9]+)-g/+\1.g/')
else
  version="$project_version+git$(git rev-list --count HEAD).${commit:0:12}"
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  version="$version.dirty"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/s5j-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree="$work/s5j-$version"
mkdir -p "$tree"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tree"
{
  echo "s5j ($version) unstable; urgency=medium"
  echo
  echo "  * Built from commit $commit."
  echo
  echo " -- $(sed -n 's/^Maintainer: //p' debian/control)  $(git log -1 --format=%cD)"
} >"$tree/debian/changelog"

echo "package.sh: building s5j $version in $work" >&2
(cd "$tree" && S5J_COMMIT=$commit dpkg-buildpackage -us -uc -b --no-sign -j"$(nproc)" >"$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log" >&2; die "dpkg-buildpackage failed (log above)"; }
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb="s5j_${version}_${arch}.deb"
[ -f "$work/$deb" ] || die "dpkg-buildpackage made no $deb"
mkdir -p "$out"
cp "$work/$deb" "$out/$deb"
echo "$out/$deb"
