# gen/config.sh - the configuration file, SYSCONFDIR/hatch/hatch.conf or
# --config FILE (sourced, not run). The file is parsed, never run as code:
# key=value lines, # comments, values plain or in "..." / '...'.
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

CONFIG_KEYS="hooks modules omit omit_modules compression module_compression host_only include"

# config_lines FILE: "LINE KEY VALUE" for each setting of FILE, or one
# "LINE ! MESSAGE" for the first line that is not one, and stop.
config_lines() {
    awk -v keys=" $CONFIG_KEYS " '
        function bad(msg) { print NR, "!", msg; exit }
        {
            line = $0
            sub(/^[ \t]+/, "", line)
            sub(/[ \t\r]+$/, "", line)
            if (line == "" || line ~ /^#/) next
            if (line !~ /^[A-Za-z_][A-Za-z0-9_]*=/) bad("not a key=value line (no spaces around =)")
            k = line; sub(/=.*/, "", k)
            v = line; sub(/^[^=]*=/, "", v)
            if (index(keys, " " k " ") == 0) {
                known = substr(keys, 2, length(keys) - 2); gsub(/ /, ", ", known)
                bad("unknown key \047" k "\047 (known: " known ")")
            }
            q = substr(v, 1, 1)
            if (q == "\"" || q == "\047") {
                if (length(v) < 2 || substr(v, length(v), 1) != q) bad("the value of " k " opens a quote it does not close")
                v = substr(v, 2, length(v) - 2)
                if (index(v, q)) bad("the value of " k " holds a quote inside its quotes")
                if (q == "\"" && v ~ /[$`\\]/) bad("the value of " k " holds $, ` or \\ (not expanded here; leave them out)")
            } else if (v ~ /[^A-Za-z0-9_.,:\/+@%=-]/) {
                bad("the value of " k " needs quotes (\"...\") for its spaces or special characters")
            }
            print NR, k, v
        }' "$1"
}

# config_load: read the configuration file; the command line wins over
# hooks, compression, module_compression and host_only; the lists add up.
config_load() {
    if [ -n "$CONFIG_ARG" ]; then
        CONF=$CONFIG_ARG
        case $CONF in
        -*) CONF=./$CONF ;;
        esac
        [ -e "$CONF" ] || die "no such configuration file: $CONFIG_ARG (--config)"
    else
        CONF=$SYSCONF_CONFIG
        [ -e "$CONF" ] || return 0
    fi
    [ ! -d "$CONF" ] || die "configuration file $CONF is a directory"
    [ -r "$CONF" ] || die "cannot read the configuration file $CONF"
    _lines=$(config_lines "$CONF") || die "cannot read the configuration file $CONF"
    _cf_hooks='' _cf_comp='' _cf_host='' _cf_mcomp=''
    while read -r _n _k _v; do
        [ -n "$_n" ] || continue
        _at="$CONF:$_n"
        case $_k in
        !) die "$_at: $_v" ;;
        hooks)
            _v=$(printf '%s' "$_v" | tr ' ' ',')
            case ${_v#+} in
            *[!A-Za-z0-9_.,-]* | .* | *,.*) die "$_at: hooks=$_v: hook names are letters, digits, '.', '-' and '_', separated by commas" ;;
            esac
            _cf_hooks=$_v
            ;;
        modules | omit_modules)
            _v=$(printf '%s' "$_v" | tr ' ' ',')
            case $_v in
            *[!A-Za-z0-9_.:,-]*) die "$_at: $_k=$_v: module names are letters, digits, '.', ':', '-' and '_', separated by commas" ;;
            esac
            if [ "$_k" = modules ]; then
                MODULES_ARG="$MODULES_ARG,$_v"
            else
                OMIT_MODULES_ARG="$OMIT_MODULES_ARG,$_v"
            fi
            ;;
        omit)
            _v=$(printf '%s' "$_v" | tr ' ' ',')
            case $_v in
            *[!A-Za-z0-9_.,-]*) die "$_at: omit=$_v: hook names are letters, digits, '.', '-' and '_', separated by commas" ;;
            esac
            OMIT_ARG="$OMIT_ARG,$_v"
            ;;
        compression)
            case $_v in
            gzip | zstd | xz | lz4 | none) _cf_comp=$_v ;;
            *) die "$_at: compression=$_v: use gzip, zstd, xz, lz4 or none" ;;
            esac
            ;;
        module_compression)
            case $_v in
            zstd | none) _cf_mcomp=$_v ;;
            *) die "$_at: module_compression=$_v: use zstd or none" ;;
            esac
            ;;
        host_only)
            case $_v in
            yes | true | 1) _cf_host=1 ;;
            no | false | 0) _cf_host=0 ;;
            *) die "$_at: host_only=$_v: use yes or no" ;;
            esac
            ;;
        include) include_arg "$_v" "$_at: include=$_v" ;;
        esac
    done <<EOF
$_lines
EOF
    [ -n "$HOOKS_ARG" ] || HOOKS_ARG=$_cf_hooks
    [ -n "$COMP" ] || COMP=$_cf_comp
    [ -n "$MODULE_COMP" ] || MODULE_COMP=$_cf_mcomp
    if [ "$HOST_ONLY_SET" = 0 ] && [ -n "$_cf_host" ]; then
        HOST_ONLY=$_cf_host
    fi
    note "configuration: $CONF"
}
