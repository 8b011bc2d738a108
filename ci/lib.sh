# lib.sh - what the scripts in ci/ share; sourced (POSIX sh), never run.
#
#   uds_summary TOOL DB [ARG...]
#                         the counts of a results database, as the report tool
#                         reads them (cases kyua listed without a result count
#                         as broken): sets sum_total, sum_passed, sum_failed,
#                         sum_xfail, sum_skipped, sum_broken, and for a run
#                         kyua did not finish sum_unfinished (cases without a
#                         result), sum_rolled_back (1: the database had an
#                         unfinished transaction) and sum_recovered (results
#                         from kyua's output); sum_incomplete is yes or no.
#                         ARGs go to the tool (--kyua-list F --kyua-log F).
#                         Returns 1 when it cannot read DB.
#   uds_filters CASES ARG...
#                         kyua filters for ARGs: a catalogue id (F-03) becomes
#                         every case whose X-id it is, from the programs listed
#                         in CASES/Kyuafile; anything else passes through.  One
#                         filter a line; returns 2, after saying so, for an id
#                         no case has.

uds_summary() {
	_tool=$1
	shift
	_line=$("$_tool" --summary "$@" 2>/dev/null) || return 1
	sum_total=$(echo "$_line" | sed -n 's/.*total=\([0-9]*\).*/\1/p')
	sum_passed=$(echo "$_line" | sed -n 's/.* passed=\([0-9]*\).*/\1/p')
	sum_failed=$(echo "$_line" | sed -n 's/.* failed=\([0-9]*\).*/\1/p')
	sum_xfail=$(echo "$_line" | sed -n 's/.* expected_failure=\([0-9]*\).*/\1/p')
	sum_skipped=$(echo "$_line" | sed -n 's/.* skipped=\([0-9]*\).*/\1/p')
	sum_broken=$(echo "$_line" | sed -n 's/.* broken=\([0-9]*\).*/\1/p')
	sum_unfinished=$(echo "$_line" | sed -n 's/.* unfinished=\([0-9]*\).*/\1/p')
	sum_rolled_back=$(echo "$_line" | sed -n 's/.* rolled_back=\([0-9]*\).*/\1/p')
	sum_recovered=$(echo "$_line" | sed -n 's/.* recovered=\([0-9]*\).*/\1/p')
	sum_incomplete=no
	[ "${sum_unfinished:-0}" -gt 0 ] || [ "${sum_rolled_back:-0}" -gt 0 ] ||
	    [ "${sum_recovered:-0}" -gt 0 ] && sum_incomplete=yes
	[ -n "$sum_total" ] && [ -n "$sum_passed" ] && [ -n "$sum_failed" ] &&
	    [ -n "$sum_xfail" ] && [ -n "$sum_skipped" ] && [ -n "$sum_broken" ]
}

uds_filters() {
	_cases=$1
	shift
	_progs=""
	for _a in "$@"; do
		case "$_a" in
		[A-P]-[0-9][0-9]) ;;
		*) printf '%s\n' "$_a"; continue ;;
		esac
		[ -n "$_progs" ] || _progs=$(sed -n 's/^atf_test_program{name="\([^"]*\)".*/\1/p' \
		    "$_cases/Kyuafile")
		_found=0
		for _p in $_progs; do
			_hits=$("$_cases/$_p" -l 2>/dev/null | awk -v p="$_p" -v id="$_a" '
			    /^ident: / { ident = substr($0, 8) }
			    /^X-id: / && substr($0, 7) == id { print p ":" ident }')
			[ -n "$_hits" ] || continue
			printf '%s\n' "$_hits"
			_found=1
		done
		if [ "$_found" -eq 0 ]; then
			echo "${0##*/}: no case has the catalogue id $_a (cases/catalogue.tsv)" >&2
			return 2
		fi
	done
}
