#!/bin/sh
# Renders the SMTP settings from the environment into alertmanager.yml, then starts Alertmanager.
set -eu
: "${SMTP_SMARTHOST:?}" "${SMTP_FROM:?}" "${ALERT_EMAIL_TO:?}"
: "${SMTP_USERNAME:=}" "${SMTP_PASSWORD:=}" "${SMTP_REQUIRE_TLS:=true}" "${ALERT_EMAIL_ONCALL:=$ALERT_EMAIL_TO}"
: "${ALERT_EMAIL_INTEGRATION:=$ALERT_EMAIL_TO}"
# Values land in single-quoted YAML strings: double any quote; escape sed's own specials.
esc() { printf '%s' "$1" | sed -e "s/'/''/g" -e 's/[\\|&]/\\&/g'; }
sed -e "s|\${SMTP_SMARTHOST}|$(esc "$SMTP_SMARTHOST")|g" \
    -e "s|\${SMTP_FROM}|$(esc "$SMTP_FROM")|g" \
    -e "s|\${SMTP_USERNAME}|$(esc "$SMTP_USERNAME")|g" \
    -e "s|\${SMTP_PASSWORD}|$(esc "$SMTP_PASSWORD")|g" \
    -e "s|\${SMTP_REQUIRE_TLS}|$(esc "$SMTP_REQUIRE_TLS")|g" \
    -e "s|\${ALERT_EMAIL_TO}|$(esc "$ALERT_EMAIL_TO")|g" \
    -e "s|\${ALERT_EMAIL_ONCALL}|$(esc "$ALERT_EMAIL_ONCALL")|g" \
    -e "s|\${ALERT_EMAIL_INTEGRATION}|$(esc "$ALERT_EMAIL_INTEGRATION")|g" \
    "${AM_TEMPLATE:-/etc/alertmanager/alertmanager.yml}" > "${AM_CONFIG:-/tmp/alertmanager.yml}"
exec "${AM_BIN:-/bin/alertmanager}" --config.file="${AM_CONFIG:-/tmp/alertmanager.yml}" --storage.path=/alertmanager "$@"
