#!/bin/sh
# Verity hash devices made by stock veritysetup, for the superblock and
# table unit tests. usage: mkfixtures.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
[ -f .done ] && exit 0

# 1 MiB of deterministic data: 256 blocks of 4 KiB.
yes hatch-verity-fixture | head -c 1048576 >data.1m

f() { # name, then veritysetup options
    n=$1
    shift
    veritysetup format "$@" data.1m "$n.hash" >"$n.out"
    sed -n 's/^Root hash:[[:space:]]*//p' "$n.out" >"$n.roothash"
}
f sha256 --salt=0011223344556677
f sha1-nosalt --hash=sha1 --salt=- --data-block-size=1024 --hash-block-size=512
f sha512 --hash=sha512 --salt=ff --data-blocks=100
cp data.1m inline.img
head -c 2097152 /dev/zero >>inline.img
veritysetup format --hash-offset=1048576 --data-blocks=256 --salt=- inline.img inline.img >inline.out
sed -n 's/^Root hash:[[:space:]]*//p' inline.out >inline.roothash
touch .done
