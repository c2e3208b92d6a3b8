#!/bin/sh
# output_safety.sh — no command loses data (issue 11): an output that is an
# input is refused before anything is opened (by device and inode: hard
# links, symbolic links, other spellings); a failed write leaves an
# existing target as it was and no temporary file behind; a full disk and a
# closed pipe are reported with the file and the cause. The full-disk case
# on a real file system mounts a 64 KiB tmpfs when allowed (root), and is
# skipped (with a note on stderr) otherwise. Prints PASS/FAIL lines.
set -u
S="$SONDAGE"
ROOT=$(pwd)
T=$(mktemp -d)
trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
cp "$ROOT/tests/data/cases/small.csv" "$T/d.csv"
cp "$ROOT/tests/data/survey.sav" "$T/y.sav"
cd "$T" || exit 1

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
same() { cmp -s "$1" "$2"; }
no_temp() { # no .NAME.xxxxxxxx.tmp left in a folder
    if ls -a "$1" | grep -q '\.tmp$'; then return 1; fi
    return 0
}

# 1. An output that is an input: refused, exit 2, the input unchanged.
cp d.csv d.orig
cp y.sav y.orig
ln d.csv hard.csv
ln -s d.csv sym.csv
refused() { # name expected-message-part cmd...
    name=$1 want=$2
    shift 2
    "$@" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q -- "$want" err.txt && same d.csv d.orig && same y.sav y.orig
    then pass "$name"
    else fail "$name" "exit $rc, $(head -1 err.txt)"
    fi
}
refused tab_o_is_input "-o d.csv is also the data file 'd.csv'" "$S" tab d.csv --rows q1 -o d.csv
refused info_o_is_input "-o ./d.csv is also the data file 'd.csv'" "$S" info d.csv -o ./d.csv
refused info_o_hard_link "-o hard.csv is also the data file 'd.csv'" "$S" info d.csv -o hard.csv
refused info_o_symlink "-o d.csv is also the data file 'sym.csv'" "$S" info sym.csv -o d.csv
refused convert_in_place "-o y.sav is also the data file 'y.sav'" "$S" convert y.sav -o y.sav
refused tab_o_is_compare "is also the --compare file" "$S" tab y.sav --rows q1 --compare d.csv -o "$T/d.csv"
refused convert_codebook_out_is_input "--codebook-out d.csv is also the data file" \
    "$S" convert d.csv -o new.csv --codebook-out d.csv
refused convert_two_outputs_one_file "--codebook-out new.csv is also the output of -o" \
    "$S" convert y.sav -o new.csv --codebook-out new.csv
[ ! -e new.csv ] && pass convert_refused_creates_nothing || fail convert_refused_creates_nothing "new.csv exists"

# 2. A write that fails keeps the old file. (A name SPSS refuses, such as
# _x, is renamed since issue 11; a value longer than .sav holds still fails.)
cp y.sav keep.sav
awk 'BEGIN { print "a"; for (i = 0; i < 33000; i++) printf "x"; print "" }' >badname.csv
"$S" convert badname.csv -o keep.sav >/dev/null 2>err.txt
rc=$?
if [ "$rc" -eq 1 ] && same keep.sav y.sav && no_temp . && grep -q "longer than the 32767 bytes .sav allows" err.txt
then pass failed_convert_keeps_existing_sav
else fail failed_convert_keeps_existing_sav "exit $rc, $(head -1 err.txt)"
fi
"$S" convert badname.csv -o fresh.sav >/dev/null 2>&1
[ ! -e fresh.sav ] && no_temp . && pass failed_convert_leaves_nothing ||
    fail failed_convert_leaves_nothing "fresh.sav or a temporary file is left"

# 3. Success replaces the target, keeps its permissions, leaves no temp.
printf 'old\n' >out.csv
chmod 640 out.csv
if "$S" tab d.csv --rows q1 --format csv -o out.csv 2>err.txt && head -1 out.csv | grep -q '^row_var,' &&
    [ "$(stat -c %a out.csv)" = 640 ] && no_temp .
then pass tab_o_replaces_and_keeps_mode
else fail tab_o_replaces_and_keeps_mode "$(head -1 err.txt) mode $(stat -c %a out.csv)"
fi
if [ "$(id -u)" -eq 0 ] && chown nobody out.csv 2>/dev/null; then
    "$S" tab d.csv --rows q1 --format csv -o out.csv 2>err.txt
    [ "$(stat -c %U out.csv)" = nobody ] && pass tab_o_keeps_owner ||
        fail tab_o_keeps_owner "owner $(stat -c %U out.csv)"
fi
ln -s out.csv link.csv
if "$S" info d.csv -o link.csv 2>err.txt && [ -L link.csv ] && grep -q 'Variables\|variables' out.csv
then pass o_symlink_writes_its_target
else fail o_symlink_writes_its_target "$(head -1 err.txt)"
fi
"$S" info d.csv -o nodir/x.txt 2>err.txt
rc=$?
grep -q "nodir/x.txt: cannot create a temporary file in its folder: No such file or directory (ENOENT)" err.txt &&
    [ "$rc" -eq 1 ] && pass o_missing_folder_named || fail o_missing_folder_named "exit $rc, $(cat err.txt)"

# 4. A device that is full, and a pipe that closes.
for c in "tab d.csv --rows q1" "info d.csv"; do
    "$S" $c -o /dev/full 2>err.txt
    rc=$?
    if [ "$rc" -eq 1 ] && grep -qx "sondage: error: /dev/full: write error: No space left on device (ENOSPC)" err.txt
    then pass "dev_full_${c%% *}"
    else fail "dev_full_${c%% *}" "exit $rc, $(cat err.txt)"
    fi
done
# A wide file: far more output than a pipe holds, so head's exit is met.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%sv%d", i ? "," : "", i; print ""
             for (i = 0; i < 3000; i++) printf "%s%d", i ? "," : "", i % 7; print "" }' >wide.csv
rc=$( { "$S" info wide.csv 2>err.txt; echo $? >rc.txt; } | head -c1 >/dev/null; cat rc.txt)
if [ "$rc" -eq 1 ] && grep -qx "sondage: error: standard output: write error: Broken pipe (EPIPE)" err.txt
then pass closed_pipe_is_epipe
else fail closed_pipe_is_epipe "exit $rc, $(cat err.txt)"
fi

# 5. A real full file system: the target keeps its old bytes, no temp left.
mkdir full
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
    cp d.csv full/d.csv
    printf 'previous table\n' >full/t.txt
    dd if=/dev/zero of=full/fill bs=4096 2>/dev/null
    "$S" info wide.csv -o full/t.txt 2>err.txt
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q "full/t.txt: write error: No space left on device (ENOSPC)" err.txt &&
        [ "$(cat full/t.txt)" = "previous table" ] && no_temp full
    then pass full_disk_keeps_target
    else fail full_disk_keeps_target "exit $rc, $(cat err.txt)"
    fi
    "$S" convert wide.csv -o full/w.sav 2>err.txt
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "full/w.sav: write error: No space left on device (ENOSPC)" err.txt &&
        [ ! -e full/w.sav ] && no_temp full && pass full_disk_sav_leaves_nothing ||
        fail full_disk_sav_leaves_nothing "exit $rc, $(cat err.txt)"
    "$S" convert wide.csv -o full/w.csv --codebook-out full/w.yaml 2>err.txt
    rc=$?
    [ "$rc" -eq 1 ] && [ ! -e full/w.csv ] && [ ! -e full/w.yaml ] && no_temp full &&
        pass full_disk_convert_leaves_nothing ||
        fail full_disk_convert_leaves_nothing "exit $rc, $(cat err.txt)"
    umount full
else
    echo "output_safety.sh: cannot mount a tmpfs here; the full-disk case is skipped" >&2
fi
