# debian.sh - Debian's archive for the scripts in ci/ (bash; sourced, never
# run): a package index and a .deb, downloaded into the cache and checked.
#
# The caller sets: cache (the uds-conformance cache directory), mirror
# (Debian's archive, ${UDS_DEBIAN_MIRROR:-http://deb.debian.org/debian}),
# tmp (a private temporary directory), prog (its name, for messages) and
# die STATUS MESSAGE.  Exit statuses used: 9 the archive cannot be reached
# and nothing is cached, 10 a download that is truncated or corrupt.
#
#   fetch URL FILE [SECS]        curl or wget, bounded, into FILE.part then FILE
#   debian_index SUITE           echoes the cached Packages.xz of SUITE (amd64, main),
#                                fetched again when older than
#                                $UDS_DEBIAN_INDEX_MAX_AGE seconds (default 21600);
#                                a stale copy is used, and said so, when the archive
#                                cannot be reached; returns 1 when there is none
#   debian_deb DIR FILENAME SIZE SHA256
#                                echoes the path of the .deb in DIR (the cache's),
#                                downloaded when missing or not matching the index

index_max_age=${UDS_DEBIAN_INDEX_MAX_AGE:-21600}
fetch() { # url file: curl or wget, bounded, into file.part then file
	rm -f "$2.part"
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --connect-timeout 20 --max-time "${3:-600}" -o "$2.part" "$1" 2>"$tmp/fetch.err"
	else
		wget -q -T 20 -O "$2.part" "$1" 2>"$tmp/fetch.err"
	fi || { rm -f "$2.part"; return 1; }
	mv "$2.part" "$2"
}
debian_index() { # suite
	local f="$cache/debian/$1-amd64-Packages.xz" age
	mkdir -p "$cache/debian" || return 1
	age=$index_max_age
	[ -f "$f" ] && age=$(($(date +%s) - $(stat -c %Y "$f")))
	if [ ! -f "$f" ] || [ "$age" -ge "$index_max_age" ]; then
		if fetch "$mirror/dists/$1/main/binary-amd64/Packages.xz" "$f.new" 300 && xz -t "$f.new" 2>/dev/null; then
			mv "$f.new" "$f"
		else
			rm -f "$f.new"
			[ -f "$f" ] || return 1
			echo "$prog: cannot refresh $1's package index from $mirror; using the cached one of $(date -u -r "$f" '+%Y-%m-%d %H:%M UTC')" >&2
		fi
	fi
	echo "$f"
}
# Download (or take from the cache) one .deb and check it against the index.
debian_deb() { # dir filename size sha256 -> echoes the local path
	local dir=$1 f try
	shift
	f="$dir/$(basename "$1")"
	mkdir -p "$dir" || die 2 "cannot create $dir"
	for try in cached fetched; do
		if [ -f "$f" ]; then
			if [ "$(stat -c %s "$f")" = "$2" ] && [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$3" ]; then
				echo "$f"
				return 0
			fi
			if [ "$try" = fetched ]; then
				bad="$(stat -c %s "$f") bytes with SHA256 $(sha256sum "$f" | cut -c1-16)..."
				rm -f "$f"
				die 10 "the download of $(basename "$f") is truncated or corrupt: $bad, not the $2 bytes with SHA256 ${3:0:16}... of Debian's index (removed)"
			fi
			echo "$prog: the cached $(basename "$f") does not match Debian's index (SHA256); downloading it again" >&2
			rm -f "$f"
		fi
		[ "$try" = fetched ] && break
		echo "$prog: downloading $(basename "$f") ($(($2 / 1048576)) MiB) from $mirror" >&2
		fetch "$mirror/$1" "$f" 1800 ||
		    die 9 "cannot download $(basename "$f") from $mirror (no network?): $(head -n 1 "$tmp/fetch.err")"
	done
	die 10 "the download of $(basename "$f") did not arrive whole"
}
