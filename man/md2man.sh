#!/bin/sh
# man/md2man.sh - turn cmdline-spec.md into the manual page hatch-cmdline(7),
# so that the page says what the specification says.
#
# usage: sh man/md2man.sh cmdline-spec.md VERSION >hatch-cmdline.7
#
# Knows the Markdown the specification uses: # / ## / ### headings,
# paragraphs, "- " and "1. " list items (continued by indented lines),
# tables (first column as the tag, the others as the text), `code`,
# **bold**, *italic* and [links](target). Anything else is kept as text.
set -eu

[ $# -eq 2 ] || { echo "usage: sh man/md2man.sh SPEC.md VERSION" >&2; exit 2; }
[ -r "$1" ] || { echo "man/md2man.sh: cannot read $1" >&2; exit 1; }

awk -v version="$2" '
function inline(s,    out, n, parts, i, seg) {
    gsub(/\\/, "\\e", s)
    n = split(s, parts, "`")
    out = ""
    for (i = 1; i <= n; i++) {
        seg = parts[i]
        if (i % 2 == 0 && i < n) {
            gsub(/-/, "\\-", seg)
            out = out "\\fB" seg "\\fR"
        } else {
            if (i % 2 == 0) seg = "`" seg
            while (match(seg, /\*\*[^*]+\*\*/))
                seg = substr(seg, 1, RSTART - 1) "\\fB" substr(seg, RSTART + 2, RLENGTH - 4) "\\fR" substr(seg, RSTART + RLENGTH)
            while (match(seg, /\*[^* ][^*]*\*/))
                seg = substr(seg, 1, RSTART - 1) "\\fI" substr(seg, RSTART + 1, RLENGTH - 2) "\\fR" substr(seg, RSTART + RLENGTH)
            while (match(seg, /\[[^]]+\]\([^)]+\)/)) {
                link = substr(seg, RSTART, RLENGTH)
                sub(/\]\(.*/, "", link)
                seg = substr(seg, 1, RSTART - 1) substr(link, 2) substr(seg, RSTART + RLENGTH)
            }
            out = out seg
        }
    }
    return out
}
function line(s) {
    if (s ~ /^[.\047]/) s = "\\&" s
    print s
}
function flush() {
    if (text == "") return
    if (kind == "p") print ".PP"
    else if (kind == "ul") print ".IP \\(bu 2"
    else if (kind == "ol") print ".IP " num " 4"
    line(inline(text))
    text = ""; kind = ""
}
function cell(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
BEGIN { text = ""; kind = ""; intable = 0 }
NR == 1 && /^# / {
    print ".\\\" Generated from cmdline-spec.md by man/md2man.sh; edit the specification, not this file."
    print ".TH HATCH-CMDLINE 7 \"\" \"hatch " version "\" \"hatch\""
    # no hyphenation: an option name cut at a line end cannot be searched for
    print ".nh"
    print ".SH NAME"
    print "hatch-cmdline \\- the kernel command-line options the hatch init reads"
    print ".SH DESCRIPTION"
    next
}
/^### / { flush(); intable = 0; print ".SS " inline(substr($0, 5)); next }
/^## / { flush(); intable = 0; h = toupper(substr($0, 4)); gsub(/"/, "", h); print ".SH \"" inline(h) "\""; next }
/^# / { flush(); intable = 0; print ".SH \"" inline(toupper(substr($0, 3))) "\""; next }
/^\|/ {
    flush()
    if (!intable) { intable = 1; next }       # the header row
    if ($0 ~ /^\|[ \t:|-]+$/) next            # the separator row
    n = split($0, c, "|")
    # Cells hold escaped bars ("\|") now and then: join them back.
    m = 0
    for (i = 2; i < n; i++) {
        if (m > 0 && cc[m] ~ /\\$/) { cc[m] = substr(cc[m], 1, length(cc[m]) - 1) "|" c[i] }
        else cc[++m] = c[i]
    }
    print ".TP"
    line(inline(cell(cc[1])))
    body = ""
    for (i = 2; i <= m; i++) body = body (body == "" ? "" : "; ") cell(cc[i])
    line(inline(body))
    next
}
/^[ \t]*$/ { flush(); intable = 0; next }
/^- / { flush(); kind = "ul"; text = substr($0, 3); next }
/^[0-9]+\. / { flush(); kind = "ol"; num = $0; sub(/\..*/, ".", num); text = $0; sub(/^[0-9]+\. /, "", text); next }
{
    s = $0
    sub(/^[ \t]+/, "", s)
    if (text == "") { kind = "p"; text = s } else text = text " " s
}
END {
    flush()
    print ".SH SEE ALSO"
    print ".BR hatch-mkinitramfs (8),"
    print ".BR bootparam (7),"
    print ".BR veritysetup (8)"
}' "$1"
