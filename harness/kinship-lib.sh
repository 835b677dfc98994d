# shellcheck shell=bash disable=SC2154  # cache and jobs are the caller's
# harness/kinship-lib.sh - shell functions the harness's tools share, sourced
# by harness/kinship-kernels and harness/kinship-userland (bash).
#
# The caller sets: cache (KINSHIP_CACHE resolved), jobs (make -j for builds).
# Nothing here writes outside $cache, nor touches the host's APT state.

# The trees (the caller passes the directory of its own script): a kinship
# build tree, whose harness/ the scripts are in (or KINSHIP_SRCDIR and
# KINSHIP_BUILDDIR say where), else an installed kinship, whose paths make
# install wrote into installed.sh beside the scripts.  Sets srcdir (the
# sources, for cross builds), builddir, host_cases (the cases of this host),
# guest_bindir (the programs of a guest of this host's architecture, in
# cases/ and harness/ below it) and cross_top (where kinship-userland builds
# for other userlands and architectures).
kinship_trees() { # HERE
	if [ -z "${KINSHIP_SRCDIR:-}${KINSHIP_BUILDDIR:-}" ] && [ -r "$1/installed.sh" ]; then
		local installed_src installed_cases installed_guest
		# shellcheck disable=SC1091  # written by make install
		. "$1/installed.sh"
		srcdir=$installed_src builddir=$installed_src
		host_cases=$installed_cases guest_bindir=$installed_guest
		cross_top=$cache/cross
	else
		srcdir=${KINSHIP_SRCDIR:-$(dirname "$1")}
		builddir=${KINSHIP_BUILDDIR:-$srcdir}
		host_cases=$builddir/cases/kinship-cases guest_bindir=$builddir
		cross_top=$builddir/harness/cross
	fi
}

# The Debian URI: KINSHIP_DEBIAN_MIRROR, else the first Debian archive (not
# -security) of the host's APT sources, deb822 or one-line.
debian_mirror() {
	if [ -n "${KINSHIP_DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "${KINSHIP_DEBIAN_MIRROR%/}"
		return
	fi
	host_sources | awk -F'\t' '$2 !~ /-security$/ { print $1; exit }' | grep .
}
# The security archive: KINSHIP_DEBIAN_SECURITY_MIRROR, else the host's
# APT sources' (when the mirror is the host's), else the mirror's sibling
# (.../debian -> .../debian-security)
debian_security_mirror() {
	if [ -n "${KINSHIP_DEBIAN_SECURITY_MIRROR:-}" ]; then
		printf '%s\n' "${KINSHIP_DEBIAN_SECURITY_MIRROR%/}"
		return
	fi
	local m
	if [ -z "${KINSHIP_DEBIAN_MIRROR:-}" ]; then
		m=$(host_sources | awk -F'\t' '$2 ~ /-security$/ { print $1; exit }')
		[ -n "$m" ] && { printf '%s\n' "$m"; return; }
	fi
	m=$(debian_mirror) || return 1
	case $m in */debian) printf '%s-security\n' "$m" ;; *) return 1 ;; esac
}
# the host's Debian archives: URI<TAB>SUITE lines, deb822 first
host_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
			function flush(   n, u, s, i, j) {
				if (types ~ /(^| )deb( |$)/ && (uris ~ /\/debian(-security)?\/?( |$)/ || keys ~ /debian-archive-keyring/)) {
					n = split(uris, u, " "); m = split(suites, s, " ")
					for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) { sub(/\/+$/, "", u[i]); print u[i] "\t" s[j] }
				}
				types = uris = suites = keys = ""
			}
			/^[[:space:]]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
			/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
			/^Signed-By:/ { keys = $0 }
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" {
				i = 2; if ($2 ~ /^\[/) while (i <= NF && $i !~ /\]$/) i++
				if ($2 ~ /^\[/) i++
				u = $(i); sub(/\/+$/, "", u)
				if (u ~ /\/debian(-security)?$/) print u "\t" $(i + 1)
			}' "$f"
	done
}

# apt-get/apt-cache over a private state: the host's sources stay untouched
apt_private() { # TOOL STATE DEBARCH ARGS...
	local tool=$1 st=$2 da=$3; shift 3
	"$tool" -q -o Dir::Etc::SourceList="$st/sources.list" \
		-o Dir::Etc::SourceParts="$st/none" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$st/none" \
		-o Dir::State="$st" -o Dir::State::Lists="$st/lists" \
		-o Dir::State::status="$st/status" -o Dir::Cache="$st/cache" \
		-o APT::Architecture="$da" -o APT::Architectures="$da" \
		-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none \
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" \
		"$@"
}

# Check for a cross target: built from Debian's source package of this
# host's release (configure --host), static, no subunit, once per target
# and Check version, in $cache/check/TRIPLET-VERSION.  Prints its prefix
# (the sysroot, its pkg-config files in usr/lib/pkgconfig), or fails with
# the reason as the last line of output.
check_for_target() { # TRIPLET CC
	local triplet=$1 cc=$2 suite st src version dir
	# shellcheck disable=SC1091  # the host's file, read at run time
	suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || { echo "cannot tell this host's Debian release for Check's sources: set KINSHIP_CROSS_SYSROOT"; return 1; }
	st=$cache/apt/$suite-source
	mkdir -p "$st/lists/partial" "$st/cache/archives/partial" "$st/none" "$cache/check"
	exec 8>"$st.lock"
	flock 8
	local mirror keyring=""
	mirror=$(debian_mirror) || { echo "no Debian archive for Check's sources: set KINSHIP_DEBIAN_MIRROR"; return 1; }
	[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		keyring="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
	if [ ! -s "$st/sources.list" ] || [ -z "$(find "$st/sources.list" -mmin -1440 2>/dev/null)" ]; then
		printf 'deb-src %s%s %s main\n' "$keyring" "$mirror" "$suite" >"$st/sources.list"
		: >"$st/status"
		apt_private apt-get "$st" amd64 update >"$st.log" 2>&1 || true
	fi
	version=$(apt_private apt-cache "$st" amd64 showsrc check 2>/dev/null | awk '/^Version:/ { print $2; exit }')
	[ -n "$version" ] || { exec 8>&-; echo "no source package of check in $suite on $mirror (deb-src)"; return 1; }
	dir=$cache/check/$triplet-$version
	# (a Check installed without its check_stdint.h took the host's)
	if [ ! -f "$dir/.complete" ] || [ ! -f "$dir/usr/include/check_stdint.h" ]; then
		src=$cache/check/src-$version
		if [ ! -d "$src/unpacked" ]; then
			rm -rf "$src"
			mkdir -p "$src"
			if ! (cd "$src" && apt_private apt-get "$st" amd64 source --download-only "check=$version" &&
				dpkg-source -x ./*.dsc unpacked) >"$src.log" 2>&1; then
				exec 8>&-
				echo "apt-get source check=$version failed (dpkg-dev is needed): $(grep -E '^(E|Err|dpkg-source)' "$src.log" | tail -n 1)"
				return 1
			fi
		fi
		rm -rf "$dir.build" "$dir"
		mkdir -p "$dir.build"
		if ! (cd "$dir.build" && "$src/unpacked/configure" -q --host="$triplet" --prefix=/usr \
			--disable-shared --enable-static --enable-subunit=no CC="$cc" &&
			make -s -C lib -j"$jobs" && make -s -C src -j"$jobs" &&
			make -s -C lib install DESTDIR="$dir" && make -s -C src install DESTDIR="$dir" &&
			make -s install-pcdataDATA install-includeHEADERS DESTDIR="$dir") >"$dir.log" 2>&1; then
			exec 8>&-
			echo "building Check $version for $triplet failed (see $dir.log): $(grep -E 'error' "$dir.log" | head -n 1 | cut -c1-160)"
			return 1
		fi
		# a static Check: its library is libcheck.a, and it needs threads
		sed -i 's/-lcheck_pic/-lcheck/; s/^Libs: \(.*\)/Libs: \1 -pthread/' "$dir/usr/lib/pkgconfig/check.pc"
		rm -rf "$dir.build"
		touch "$dir/.complete"
	fi
	exec 8>&-
	printf '%s\n' "$dir"
}

