#!/usr/bin/env bash
# Runs the lookup benchmark binaries round-robin REPEAT times (default 9),
# so a burst of load on the machine hits every board alike, and prints one
# table of the medians (each binary already reports the median of its own
# 41 runs; this takes the median of those), the ratios, and the targets:
#   - the generated maps are flat: 65,536 regions within 20% of 16;
#   - at 4,096 regions they take at most a third of binary search's time.
#
# usage: bench/lookup/run.sh BUILD/bench/lookup-N/lookup...
set -euo pipefail
repeat=${REPEAT:-9}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for ((r = 0; r < repeat; r++)); do
	for bin in "$@"; do
		"$bin" >>"$raw"
	done
done

echo "Lookup: median ns per lookup ($repeat x 41 runs of 65,536 lookups" \
     "each; lower is better)"
echo "map = generated tables (vmm/dispatch.h), bsearch = binary search over" \
     "the sorted regions,"
echo "ref = the reference loop (ns), map/ref = map in reference units"
awk -v repeat="$repeat" '
function median(list,    v, n, i, j, t) {
	n = split(list, v, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
$1 == "RESULT" {
	key = $2 SUBSEP $4 SUBSEP $5
	if (!(key in map)) {
		order[++nkeys] = key
		regions[$2] = $3
		if (!($2 in seen)) { seen[$2] = 1; boards[++nboards] = $2 }
		if (!($4 SUBSEP $5 in seenpat)) {
			seenpat[$4 SUBSEP $5] = 1
			pats[++npats] = $4 SUBSEP $5
		}
	}
	map[key] = map[key] " " $6
	bs[key] = bs[key] " " $7
	ref[key] = ref[key] " " $8
	mapn[key] = mapn[key] " " $9
	bsn[key] = bsn[key] " " $10
}
END {
	printf "%-12s %8s  %-5s %-9s %8s %8s %12s %6s %6s\n", "board",
	       "regions", "space", "pattern", "map", "bsearch", "map/bsearch",
	       "ref", "map/ref"
	for (i = 1; i <= nkeys; i++) {
		split(order[i], k, SUBSEP)
		m = median(map[order[i]]); b = median(bs[order[i]])
		mm[order[i]] = m; bb[order[i]] = b
		mn[order[i]] = median(mapn[order[i]])
		bn[order[i]] = median(bsn[order[i]])
		printf "%-12s %8d  %-5s %-9s %8.2f %8.2f %12.2f %6.2f %6.2f\n",
		       k[1], regions[k[1]], k[2], k[3], m, b,
		       (b > 0 ? m / b : 0), median(ref[order[i]]),
		       mn[order[i]]
	}
	first = boards[1]; last = boards[nboards]
	printf "\nFlatness: map time on %s (%d regions) / %s (%d regions),\n",
	       last, regions[last], first, regions[first]
	printf "in reference units (and in raw ns, which drift with the " \
	       "machine)\n"
	flat_ok = 1
	for (p = 1; p <= npats; p++) {
		split(pats[p], k, SUBSEP)
		r = mn[last SUBSEP pats[p]] / mn[first SUBSEP pats[p]]
		rr = mm[last SUBSEP pats[p]] / mm[first SUBSEP pats[p]]
		rb = bn[last SUBSEP pats[p]] / bn[first SUBSEP pats[p]]
		if (r > 1.2) { flat_ok = 0; flat_miss = flat_miss " " k[1] "/" k[2] }
		else flat_met = flat_met " " k[1] "/" k[2]
		printf "  %-5s %-9s map %5.2fx (ns %5.2fx)   bsearch %5.2fx\n",
		       k[1], k[2], r, rr, rb
	}
	for (i = 1; i <= nboards; i++)
		if (regions[boards[i]] >= 4096 && regions[boards[i]] < 8192)
			mid = boards[i]
	third_ok = 1
	printf "\nmap / bsearch on %s (%d regions)\n", mid, regions[mid]
	for (p = 1; p <= npats; p++) {
		split(pats[p], k, SUBSEP)
		r = mm[mid SUBSEP pats[p]] / bb[mid SUBSEP pats[p]]
		if (r > 1 / 3) { third_ok = 0; third_miss = third_miss " " k[1] "/" k[2] }
		else third_met = third_met " " k[1] "/" k[2]
		printf "  %-5s %-9s %5.2f\n", k[1], k[2], r
	}
	printf "\nTarget: map flat, %s within 20%% of %s: %s\n", last, first,
	       flat_ok ? "met" : "MISSED for" flat_miss \
	       " (met for" flat_met "; see docs/performance.md)"
	printf "Target: map <= 1/3 of bsearch at %s: %s\n", mid,
	       third_ok ? "met" : "MISSED for" third_miss \
	       " (met for" third_met "; see docs/performance.md)"
}' "$raw"
