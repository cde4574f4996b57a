#!/bin/sh
# Start nginx for the compose service `proxy`: write the server blocks, then run in the
# foreground. Plain HTTP on 8080; when tls.crt and tls.key are in /etc/obrail-tls (compose
# mounts OBRAIL_TLS_DIR there), HTTPS on 8443 and every HTTP request redirected to it.
# OBRAIL_SERVER_NAMES: the host names served (space-separated); any other Host gets 421, so
# the app behind may answer every name (its ALLOWED_HOSTS is "*" in compose).
set -eu

CONF=/etc/obrail-proxy
RUN=/tmp/obrail-nginx
NAMES="${OBRAIL_SERVER_NAMES:-localhost 127.0.0.1}"
# The host port clients reach HTTPS on (compose publishes 8443 on OBRAIL_HTTPS_PORT).
HTTPS_PORT="${OBRAIL_HTTPS_PORT:-443}"
case "$HTTPS_PORT" in
    443) HTTPS_AUTHORITY='$host' ;;
    *[!0-9]*) echo "OBRAIL_HTTPS_PORT is not a port: $HTTPS_PORT" >&2; exit 1 ;;
    *) HTTPS_AUTHORITY="\$host:$HTTPS_PORT" ;;
esac
mkdir -p "$RUN"

case "$NAMES" in
    *[!A-Za-z0-9.\ _*:-]*) echo "OBRAIL_SERVER_NAMES has unexpected characters: $NAMES" >&2; exit 1 ;;
esac

{
    # Unknown host names: refused before reaching the app.
    echo "server { listen 8080 default_server; location = /nginx-health { return 200; } location / { return 421; } }"
    if [ -f /etc/obrail-tls/tls.crt ] && [ -f /etc/obrail-tls/tls.key ]; then
        echo "TLS: certificate found, HTTPS on 8443" >&2
        echo "server { listen 8443 ssl http2 default_server; ssl_certificate /etc/obrail-tls/tls.crt; ssl_certificate_key /etc/obrail-tls/tls.key; return 421; }"
        echo "server { listen 8080; server_name $NAMES; location = /nginx-health { return 200; } location / { return 301 https://$HTTPS_AUTHORITY\$request_uri; } }"
        cat <<CONF
server {
    listen 8443 ssl http2;
    server_name $NAMES;
    ssl_certificate /etc/obrail-tls/tls.crt;
    ssl_certificate_key /etc/obrail-tls/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:tls:10m;
    include $CONF/locations.conf;
}
CONF
    else
        echo "TLS: no certificate in /etc/obrail-tls, plain HTTP only" >&2
        echo "server { listen 8080; server_name $NAMES; include $CONF/locations.conf; }"
    fi
} >"$RUN/servers.conf"

nginx -t -q -c "$CONF/nginx.conf"
exec nginx -c "$CONF/nginx.conf" -g "daemon off;"
