# Services the test suite needs, started on loopback and stopped again.
# Sourced by bin/test (and usable by hand: `source bin/lib/services.sh; start_redis`).
# Each start_* exports the address the tests read, and registers a stop action.

services_dir="${SERVICES_DIR:-$(mktemp -d -t prism-services.XXXXXX)}"
declare -a stop_actions=()

stop_services() {
  local i
  for ((i = ${#stop_actions[@]} - 1; i >= 0; i--)); do
    eval "${stop_actions[$i]}" || true
  done
  stop_actions=()
}

# Installs Debian packages that are missing, when we are root (CI and these machines are).
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "bin/test: missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
    return 1
  fi
  echo "bin/test: installing ${missing[*]}" >&2
  if [[ -z "${apt_updated:-}" ]]; then
    apt-get update -qq >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# free_ports N: N distinct free ports on one line, for a server that binds several at once (looked
# up one by one, before anything listens, two can come back the same).
free_ports() {
  python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "bin/test: $what did not become ready" >&2
      return 1
    fi
    sleep 0.2
  done
}

# A self-signed certificate for 127.0.0.1, made once per run: the TLS endpoints of ClickHouse and Redis
# present it, and the TLS tests give it to the index as its CA (index.*.tls.ca.file). A second one,
# which signed nothing, stands for "a CA that is not the server's". Each with its key, so that either
# can be a client certificate too: ClickHouse's HTTPS requires one signed by the first
# (verificationMode strict).
ensure_test_certificate() {
  local dir="$services_dir/tls"
  export PRISM_TEST_TLS_CA="$dir/cert.pem"
  export PRISM_TEST_TLS_OTHER_CA="$dir/other-ca.pem"
  export PRISM_TEST_TLS_KEY="$dir/key.pem"
  export PRISM_TEST_TLS_OTHER_KEY="$dir/other-key.pem"
  [[ -f "$dir/cert.pem" ]] && return 0
  command -v openssl >/dev/null || ensure_packages openssl
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=some other CA" \
    -keyout "$dir/other-key.pem" -out "$dir/other-ca.pem" >/dev/null 2>&1
}

start_redis() {
  ensure_packages redis-server redis-tools
  local port dir="$services_dir/redis"
  port=$(free_port)
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  stop_actions+=("kill \$(cat '$dir/redis.pid' 2>/dev/null) 2>/dev/null")
  wait_until 20 "redis on port $port" redis-cli -p "$port" ping
  export PRISM_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
  echo "bin/test: redis at $PRISM_TEST_REDIS_URL" >&2
}

# A second Redis that speaks only TLS (Debian's redis-server is built with it), for RedisTlsIT.
start_redis_tls() {
  ensure_packages redis-server redis-tools
  ensure_test_certificate
  local port dir="$services_dir/redis-tls" tls="$services_dir/tls"
  port=$(free_port)
  mkdir -p "$dir"
  # Also on 127.0.0.2, an address its certificate does not name (RedisTlsIT's host-name check).
  redis-server --daemonize yes --bind 127.0.0.1 127.0.0.2 --port 0 --tls-port "$port" \
    --tls-cert-file "$tls/cert.pem" --tls-key-file "$tls/key.pem" --tls-ca-cert-file "$tls/cert.pem" \
    --tls-auth-clients no --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  stop_actions+=("kill \$(cat '$dir/redis.pid' 2>/dev/null) 2>/dev/null")
  wait_until 20 "redis (tls) on port $port" redis-cli --tls --cacert "$tls/cert.pem" -p "$port" ping
  export PRISM_TEST_REDIS_TLS_URL="rediss://127.0.0.1:$port/0"
  echo "bin/test: redis (tls) at $PRISM_TEST_REDIS_TLS_URL" >&2
  # And one that asks every client for a certificate signed by the test CA, as Redis's TLS does by
  # default (tls-auth-clients yes); the test certificate is its own CA, so it is the client's too.
  local mtls_port mtls_dir="$services_dir/redis-mtls"
  mtls_port=$(free_port)
  mkdir -p "$mtls_dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port 0 --tls-port "$mtls_port" \
    --tls-cert-file "$tls/cert.pem" --tls-key-file "$tls/key.pem" --tls-ca-cert-file "$tls/cert.pem" \
    --tls-auth-clients yes --save "" --appendonly no \
    --dir "$mtls_dir" --pidfile "$mtls_dir/redis.pid" --logfile "$mtls_dir/redis.log"
  stop_actions+=("kill \$(cat '$mtls_dir/redis.pid' 2>/dev/null) 2>/dev/null")
  wait_until 20 "redis (mutual tls) on port $mtls_port" \
    redis-cli --tls --cacert "$tls/cert.pem" --cert "$tls/cert.pem" --key "$tls/key.pem" -p "$mtls_port" ping
  export PRISM_TEST_REDIS_MTLS_URL="rediss://127.0.0.1:$mtls_port/0"
  export PRISM_TEST_TLS_KEY="$tls/key.pem"
  echo "bin/test: redis (mutual tls) at $PRISM_TEST_REDIS_MTLS_URL" >&2
}

start_clickhouse() {
  ensure_packages clickhouse-server clickhouse-client
  ensure_test_certificate
  local http https native dir="$services_dir/clickhouse" tls="$services_dir/tls"
  read -r http https native < <(free_ports 3)
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>10M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <!-- also an address the TLS certificate does not name (ClickHouseTlsIT's host-name check) -->
  <listen_host>127.0.0.2</listen_host>
  <http_port>$http</http_port>
  <https_port>$https</https_port>
  <openSSL><server><certificateFile>$tls/cert.pem</certificateFile><privateKeyFile>$tls/key.pem</privateKeyFile><caConfig>$tls/cert.pem</caConfig><verificationMode>strict</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile><disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>
  <tcp_port>$native</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <timezone>UTC</timezone>
  <mark_cache_size>5368709</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>1000000000</max_memory_usage></default>
    <!-- Replay's credentials: reads, and settings per query (readonly=2), but no writes or DDL. -->
    <reader><readonly>2</readonly><max_memory_usage>1000000000</max_memory_usage></reader>
    <strict_reader><readonly>1</readonly><max_memory_usage>1000000000</max_memory_usage></strict_reader>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <prism><password>prism-secret</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></prism>
    <prism_reader><password>reader-secret</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>reader</profile><quota>default</quota></prism_reader>
    <prism_strict_reader><password>reader-secret</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>strict_reader</profile><quota>default</quota></prism_strict_reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  clickhouse-server --daemon --config-file="$dir/config.xml" --pid-file="$dir/clickhouse.pid" >/dev/null 2>&1
  stop_actions+=("kill \$(cat '$dir/clickhouse.pid' 2>/dev/null) 2>/dev/null; sleep 1")
  wait_until 30 "clickhouse on port $http" curl -sf "http://127.0.0.1:$http/ping"
  wait_until 30 "clickhouse (https) on port $https" curl -sf --cacert "$tls/cert.pem" --cert "$tls/cert.pem" --key "$tls/key.pem" "https://127.0.0.1:$https/ping"
  export PRISM_TEST_CLICKHOUSE_URL="http://127.0.0.1:$http"
  export PRISM_TEST_CLICKHOUSE_HTTPS_URL="https://127.0.0.1:$https"
  export PRISM_TEST_CLICKHOUSE_DIR="$dir"
  echo "bin/test: clickhouse at $PRISM_TEST_CLICKHOUSE_URL" >&2
}

# Azurite, the Azure Storage emulator (npm package; only its blob service), for the Azure backend's tests.
# Installed once into a cache directory; npm's registry is reachable from these machines and CI.
azurite_version=3.37.0
azurite_home="${PRISM_AZURITE_HOME:-${HOME:-/tmp}/.cache/prism/azurite}"
# The emulator's one well-known account and key (documented by Microsoft; not a secret).
azurite_account=devstoreaccount1
azurite_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

start_azurite() {
  local bin="$azurite_home/node_modules/.bin/azurite-blob" port dir="$services_dir/azurite"
  if [[ ! -x "$bin" ]] || ! "$bin" --version 2>/dev/null | grep -qx "$azurite_version"; then
    command -v npm >/dev/null || ensure_packages nodejs npm
    echo "bin/test: installing azurite $azurite_version into $azurite_home" >&2
    mkdir -p "$azurite_home"
    npm install --prefix "$azurite_home" --no-audit --no-fund --loglevel=error "azurite@$azurite_version" >&2
  fi
  port=$(free_port)
  mkdir -p "$dir/data"
  # --skipApiVersionCheck: an SDK newer than the emulator still works for the calls the store makes.
  "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/data" --skipApiVersionCheck --loose \
    --disableTelemetry --silent >"$dir/azurite.log" 2>&1 &
  echo $! >"$dir/azurite.pid"
  stop_actions+=("kill \$(cat '$dir/azurite.pid' 2>/dev/null) 2>/dev/null")
  wait_until 30 "azurite on port $port" curl -s -o /dev/null "http://127.0.0.1:$port/"
  export PRISM_TEST_AZURITE_URL="http://127.0.0.1:$port/$azurite_account"
  export PRISM_TEST_AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$azurite_account;AccountKey=$azurite_key;BlobEndpoint=$PRISM_TEST_AZURITE_URL;"
  echo "bin/test: azurite at $PRISM_TEST_AZURITE_URL" >&2
  # And one on HTTPS with bin/test's own certificate, which no trust store holds: trusted only through
  # storage.azure.tls.ca.file (AzureTlsIT).
  ensure_test_certificate
  local tls_port tls_dir="$services_dir/azurite-tls" tls="$services_dir/tls"
  tls_port=$(free_port)
  mkdir -p "$tls_dir/data"
  "$bin" --blobHost 127.0.0.1 --blobPort "$tls_port" --location "$tls_dir/data" --skipApiVersionCheck --loose \
    --disableTelemetry --silent --cert "$tls/cert.pem" --key "$tls/key.pem" >"$tls_dir/azurite.log" 2>&1 &
  echo $! >"$tls_dir/azurite.pid"
  stop_actions+=("kill \$(cat '$tls_dir/azurite.pid' 2>/dev/null) 2>/dev/null")
  wait_until 30 "azurite (https, test certificate) on port $tls_port" \
    curl -s -o /dev/null --cacert "$tls/cert.pem" "https://127.0.0.1:$tls_port/"
  export PRISM_TEST_AZURITE_TLS_URL="https://127.0.0.1:$tls_port/$azurite_account"
  echo "bin/test: azurite (https) at $PRISM_TEST_AZURITE_TLS_URL" >&2
}

# A second Azurite, on HTTPS and accepting Entra ID (OAuth) bearer tokens, with a local stand-in for App
# Service's managed-identity token endpoint, for signing in with DefaultAzureCredential (AzureEntraIdIT).
# Azurite's basic OAuth checks a token's issuer, audience and lifetime, not its signature. Needs start_azurite's
# install. The failsafe JVM gets IDENTITY_ENDPOINT/IDENTITY_HEADER and a trust store (the JDK's CAs plus this
# self-signed certificate) from the azure-entra-it profile in pom.xml, which these variables switch on.
start_azurite_oauth() {
  local bin="$azurite_home/node_modules/.bin/azurite-blob" port identity_port dir="$services_dir/azurite-oauth"
  local secret java_home
  [[ -x "$bin" ]] || { echo "bin/test: start_azurite_oauth needs start_azurite's install first" >&2; return 1; }
  command -v openssl >/dev/null || ensure_packages openssl
  mkdir -p "$dir/data"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
  java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  cp "$java_home/lib/security/cacerts" "$dir/cacerts"
  chmod u+w "$dir/cacerts"
  keytool -importcert -noprompt -alias prism-azurite -file "$dir/cert.pem" -keystore "$dir/cacerts" \
    -storepass changeit >/dev/null
  port=$(free_port)
  "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/data" --skipApiVersionCheck --loose \
    --disableTelemetry --silent --oauth basic --cert "$dir/cert.pem" --key "$dir/key.pem" \
    >"$dir/azurite.log" 2>&1 &
  echo $! >"$dir/azurite.pid"
  stop_actions+=("kill \$(cat '$dir/azurite.pid' 2>/dev/null) 2>/dev/null")
  # Listening before the next free port is looked up, which could otherwise be the same one.
  wait_until 30 "azurite (https) on port $port" curl -s -o /dev/null --cacert "$dir/cert.pem" "https://127.0.0.1:$port/"
  identity_port=$(free_port)
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  python3 "$(dirname "${BASH_SOURCE[0]}")/managed-identity-endpoint.py" "$identity_port" "$secret" \
    >"$dir/identity.log" 2>&1 &
  echo $! >"$dir/identity.pid"
  stop_actions+=("kill \$(cat '$dir/identity.pid' 2>/dev/null) 2>/dev/null")
  wait_until 20 "managed-identity endpoint on port $identity_port" \
    curl -sf -H "X-IDENTITY-HEADER: $secret" "http://127.0.0.1:$identity_port/?api-version=2019-08-01&resource=r"
  export PRISM_TEST_AZURITE_OAUTH_URL="https://127.0.0.1:$port/$azurite_account"
  export PRISM_TEST_AZURITE_OAUTH_TRUSTSTORE="$dir/cacerts"
  export PRISM_TEST_IDENTITY_ENDPOINT="http://127.0.0.1:$identity_port/"
  export PRISM_TEST_IDENTITY_HEADER="$secret"
  echo "bin/test: azurite with Entra ID sign-in at $PRISM_TEST_AZURITE_OAUTH_URL" >&2
}
