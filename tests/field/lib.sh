# lib.sh — shared by the fieldwork scripts (sourced): start a server on a
# store and wait for its port; stop it. Needs $SONDAGE and $tmp.

# start_server DB [ARGS...]: sets $spid and $port (fails after 10 s).
start_server() {
    db=$1
    shift
    SONDAGE_ADMIN_SECRET=${SECRET:-field-test-secret} "$SONDAGE" serve \
        examples/dsi-marketing/questionnaire.yml --db "$db" "$@" 2>>"$tmp/serve.err" &
    spid=$!
    port=""
    n=0
    while [ $n -lt 200 ]; do
        port=$(sed -n "s/.*serving .* at http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p" "$tmp/serve.err" | tail -1)
        if [ -n "$port" ] && [ "$(grep -c 'serving' "$tmp/serve.err")" -ge "${starts:-1}" ]; then
            return 0
        fi
        if ! kill -0 "$spid" 2>/dev/null; then
            break
        fi
        sleep 0.05
        n=$((n + 1))
    done
    echo "FAIL ${TEST:-field}_server_started: $(tail -3 "$tmp/serve.err")"
    return 1
}
