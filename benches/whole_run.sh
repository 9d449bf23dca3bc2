#!/usr/bin/env bash
# Whole-run benchmark: scan large generated sites and compare with exiftool/exiv2.
#
#   benches/whole_run.sh [WORKDIR]            # default WORKDIR: target/whole-run
#   SIZES="1000 5000" PAGES=1200 benches/whole_run.sh
#
#   PREVIEW=0 benches/whole_run.sh            # photos without an EXIF preview
#
# For each site size (number of photo JPEGs, each ~1600x1067 with EXIF + XMP and,
# as camera files have, a 160-px EXIF preview unless PREVIEW=0):
#   1. generate the site once (cargo run --release --example gen-site; resumable);
#   2. read every file once so all tools start with the same warm OS page cache;
#   3. time `exiftool -j` and `exiv2 -pa` over the same images;
#   4. time the floor: reading and SHA-256-ing every image (examples/read-hash-floor);
#   5. time clearance: cold scan (empty --cache), warm rescan (same cache: an
#      unchanged site replays the recorded report), a rescan after touching one
#      photo (no replay: every finding judged again, one photo read again),
#      --jobs 1 and --jobs 2 with --no-cache; peak RSS of each from /usr/bin/time -v.
# Every timing is the fastest of REPEAT (default 3) runs.
# Results are printed as a Markdown table and appended to WORKDIR/results.md, with
# the machine, date and commit, ready for BENCHMARKS.md ("Whole run").
#
# Last, a cold scan of every size with the largest site's ledger: peak RSS as
# the number of images alone grows.
#
# Targets (issue 7): cold scan of a 1,200-photo site <= 1.5x `exiv2 -pa`; warm
# rescan <= 0.2x cold; --jobs 2 >= 1.6x faster than --jobs 1; peak RSS < 300 MB
# and flat from 1,000 to 5,000 images.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$repo/target/whole-run}
sizes=${SIZES:-"1000 1200 5000"}
pages=${PAGES:-1200}
width=${WIDTH:-1600}
height=${HEIGHT:-1067}
# Face detection costs ~0.2 CPU-s per unrecorded photo; FACES=off times the rest.
faces=${FACES:-missing}
# Camera originals carry an EXIF preview; web exports from editors usually do not.
preview=${PREVIEW:-1}
if [ "$preview" = 0 ]; then preview_flag=--no-exif-preview; suffix=-nopreview; else preview_flag=; suffix=; fi
target_dir=${CARGO_TARGET_DIR:-$repo/target}

need() { command -v "$1" >/dev/null || { echo "whole_run: $1 not found ($2)" >&2; exit 2; }; }
need cargo "install Rust"
[ -x /usr/bin/time ] || { echo "whole_run: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
have_exiftool=1; command -v exiftool >/dev/null || { have_exiftool=0; echo "whole_run: exiftool not found (apt-get install libimage-exiftool-perl): its column is left empty" >&2; }
have_exiv2=1; command -v exiv2 >/dev/null || { have_exiv2=0; echo "whole_run: exiv2 not found (apt-get install exiv2): its column is left empty" >&2; }

mkdir -p "$work"
(cd "$repo" && cargo build --release --bin clearance --example gen-site --example read-hash-floor)
clearance=$target_dir/release/clearance
gen_site=$target_dir/release/examples/gen-site
read_hash_floor=$target_dir/release/examples/read-hash-floor

# Timings on a shared machine jump by seconds when a neighbour flushes its disk:
# each command runs REPEAT times (default 3) and the fastest run counts.
repeat=${REPEAT:-3}

# run LABEL OUTFILE CMD...: run CMD under /usr/bin/time -v; sets $secs (the
# fastest of $repeat runs) and $rss_mb (the largest peak RSS of them).
# Exit status 0 or 1 is success (clearance exits 1 when it has findings; exiv2
# exits non-zero for files without some metadata); anything else stops the run.
# PREPARE, when set, is run before each repetition (e.g. to empty a cache).
run() {
    local label=$1 out=$2; shift 2
    local log=$work/time-$label.log status i s r
    secs=; rss_mb=0
    for ((i = 0; i < repeat; i++)); do
        if [ -n "${PREPARE:-}" ]; then eval "$PREPARE"; fi
        status=0
        /usr/bin/time -v -o "$log" "$@" >"$out" 2>"$work/stderr-$label.log" || status=$?
        if [ "$status" -gt 1 ] && [ "$label" != "${label#clearance}" ]; then
            echo "whole_run: $label failed (exit $status):" >&2
            tail -5 "$work/stderr-$label.log" >&2
            exit 2
        fi
        s=$(awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$log")
        r=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
        if [ -z "$secs" ] || awk -v a="$s" -v b="$secs" 'BEGIN { exit !(a < b) }'; then secs=$s; fi
        if [ "$r" -gt "$rss_mb" ]; then rss_mb=$r; fi
    done
    return 0
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
commit=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
    echo
    echo "### Whole run, $(date -u +%Y-%m-%d) — $machine — commit $commit"
    echo
    echo "Command: \`SIZES=\"$sizes\" PAGES=$pages FACES=$faces PREVIEW=$preview REPEAT=$repeat benches/whole_run.sh\` (photos ${width}x${height}, EXIF + XMP$([ "$preview" = 0 ] && echo ", no EXIF preview" || echo " + EXIF preview"))"
    echo
    echo "| images | MB | exiftool -j s | exiv2 -pa s | read + SHA-256 s | cold scan s (RSS MB) | warm rescan s (RSS MB) | rescan, 1 photo touched s (RSS MB) | --jobs 1 s | --jobs 2 s | cold / exiv2 | read + SHA-256 / exiv2 | warm / cold | touched / cold | jobs1 / jobs2 | phash matches |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} | tee -a "$work/results.md"

for n in $sizes; do
    site=$work/site-$n$suffix
    "$gen_site" "$site" --images "$n" --pages "$pages" --width "$width" --height "$height" $preview_flag
    mb=$(du -sm "$site/site/images" | cut -f1)
    find "$site/site" -type f -exec cat {} + >/dev/null # warm the page cache for every tool alike

    exiftool_s=-; exiv2_s=-
    if [ $have_exiftool = 1 ]; then
        run exiftool-$n "$work/exiftool-$n.json" exiftool -j -r -q -q "$site/site/images"; exiftool_s=$secs
    fi
    if [ $have_exiv2 = 1 ]; then
        run exiv2-$n "$work/exiv2-$n.txt" sh -c 'find "$1" -name "*.jpg" -print0 | xargs -0 exiv2 -pa' sh "$site/site/images"; exiv2_s=$secs
    fi

    # What no scan can avoid: read every image and SHA-256 it, on 2 threads.
    run floor-$n /dev/null "$read_hash_floor" "$site/site/images" --jobs 2; floor_s=$secs

    cache=$work/cache-$n$suffix
    scan=("$clearance" scan "$site/site" --config "$site/clearance.toml" --format json --no-progress --faces "$faces")
    # Cold: every repetition starts from an empty cache.
    PREPARE="rm -rf '$cache'" run clearance-cold-$n "$work/report-$n.json" "${scan[@]}" --cache "$cache"; cold_s=$secs; cold_rss=$rss_mb
    if ! grep -q '"images"' "$work/report-$n.json"; then
        echo "whole_run: the cold scan wrote no JSON report (is \`clearance scan\` implemented?)" >&2
        exit 2
    fi
    # Every generated photo is distinct: any perceptual-hash match is a false one.
    phash_matches=$({ grep -Eo '"by": ?"phash"' "$work/report-$n.json" || true; } | wc -l)
    run clearance-warm-$n "$work/report-warm-$n.json" "${scan[@]}" --cache "$cache"; warm_s=$secs; warm_rss=$rss_mb
    # The warm report must say the same as the cold one (the cache changes speed, not answers).
    if ! cmp -s "$work/report-$n.json" "$work/report-warm-$n.json"; then
        echo "whole_run: warning: warm and cold reports differ for $n images" >&2
    fi
    # One photo touched (a new mtime): no replay, and that photo alone is read again.
    touched=$(find "$site/site/images" -name '*.jpg' -print -quit)
    PREPARE="touch '$touched'" run clearance-touched-$n /dev/null "${scan[@]}" --cache "$cache"; touched_s=$secs; touched_rss=$rss_mb
    run clearance-jobs1-$n /dev/null "${scan[@]}" --no-cache --jobs 1; jobs1_s=$secs
    run clearance-jobs2-$n /dev/null "${scan[@]}" --no-cache --jobs 2; jobs2_s=$secs

    echo "| $n | $mb | $exiftool_s | $exiv2_s | $floor_s | $cold_s ($cold_rss) | $warm_s ($warm_rss) | $touched_s ($touched_rss) | $jobs1_s | $jobs2_s | $(ratio "$cold_s" "$exiv2_s") | $(ratio "$floor_s" "$exiv2_s") | $(ratio "$warm_s" "$cold_s") | $(ratio "$touched_s" "$cold_s") | $(ratio "$jobs1_s" "$jobs2_s") | $phash_matches |" \
        | tee -a "$work/results.md"
done
# The generated ledger grows with the site (half the photos are ledgered), so
# the table above mixes two growths. Held to the largest site's ledger, every
# size shows what the number of images alone costs in peak memory.
largest=$(printf '%s\n' $sizes | sort -n | tail -1)
if [ "$(printf '%s\n' $sizes | wc -l)" -gt 1 ]; then
    ledger=$work/site-$largest$suffix/ledger.toml
    assets=$(grep -c '^\[\[asset\]\]' "$ledger")
    {
        echo
        echo "Peak memory with one ledger for every size (site-$largest's, $assets assets), cold scan:"
        echo
        echo "| images | cold scan s | peak RSS MB |"
        echo "|---|---|---|"
    } | tee -a "$work/results.md"
    for n in $sizes; do
        config=$work/one-ledger-$n.toml
        printf 'root = "%s"\nledger = ["%s"]\n' "$work/site-$n$suffix/site" "$ledger" >"$config"
        cache=$work/cache-one-ledger-$n
        PREPARE="rm -rf '$cache'" run clearance-one-ledger-$n /dev/null "$clearance" scan --config "$config" \
            --format json --no-progress --faces "$faces" --cache "$cache"
        echo "| $n | $secs | $rss_mb |" | tee -a "$work/results.md"
    done
fi
echo "whole_run: results appended to $work/results.md" >&2
