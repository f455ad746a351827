#!/usr/bin/env bash
# Runs two real strongSwan (charon) IKEv2 peers in two network namespaces and captures BOTH daemons' logs per scenario.
#
# Why it exists: the logs it writes are the ground truth for core/ike's charon parser and for the device side of
# diagnose(). CI does not run it (it needs root, Debian's strongSwan packages and network namespaces); its output is
# committed under test/fixtures/ike/strongswan/. Re-run it by hand after changing a scenario:
#
#   sudo local/strongswan/run-scenario.sh                  # every scenario
#   sudo local/strongswan/run-scenario.sh good expired     # just these
#   OUT_DIR=/tmp/ike-logs sudo -E local/strongswan/run-scenario.sh
#
# Packages (Debian bookworm, strongSwan 5.9.8):
#   apt-get install --no-install-recommends strongswan-swanctl charon-systemd strongswan-charon \
#     libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins
#
# Only the two namespaces this script creates are touched (veth pair 10.99.0.1/24 <-> 10.99.0.2/24). Daemons,
# namespaces and the temporary directory are removed after every scenario, also on failure or Ctrl-C.
set -euo pipefail

ALL_SCENARIOS=(good wrong-root subject-mismatch gateway-id-mismatch expired not-yet-valid proposal-mismatch ts-mismatch psk-one-side psk-one-side-key-known psk-mismatch peer-unreachable)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$REPO_ROOT/test/fixtures/ike/strongswan}"
CHARON="${CHARON:-/usr/lib/ipsec/charon}"

NS_I=ikesw-init
NS_R=ikesw-resp
VETH_I=ikesw-i0
VETH_R=ikesw-r0
IP_I=10.99.0.1
IP_R=10.99.0.2
# The protected prefixes behind each peer. kernel-libipsec routes a CHILD_SA through its TUN device only when the
# host owns an address inside its local selector, so each namespace gets one such address on its own loopback.
LAN_I=10.99.1.0/24
LAN_R=10.99.2.0/24
LAN_I_HOST=10.99.1.1/32
LAN_R_HOST=10.99.2.1/32

# Identities: the initiator plays the on-premises device, the responder plays the Azure gateway. Each side's leaf is
# issued by its own root, and each side trusts the other's root, as in an Azure certificate connection.
DEVICE_ROOT_CN="Contoso Device Root CA"
GATEWAY_ROOT_CN="Contoso Azure Root CA"
ROGUE_ROOT_CN="Fabrikam Root CA"
DEVICE_CN="onprem-vpn.contoso.example"
OTHER_DEVICE_CN="branch-vpn.contoso.example"
GATEWAY_CN="vpngw-hub.contoso.example"
PSK_SECRET="scenario-only-psk-not-a-real-secret"

log() { printf '[run-scenario] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (network namespaces and charon need it)"
[[ -x $CHARON ]] || die "$CHARON not found: install Debian's strongSwan packages (see the header of this script)"
command -v swanctl >/dev/null || die "swanctl not found: install strongswan-swanctl"
command -v openssl >/dev/null || die "openssl not found"

WORK=""
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  ip netns del "$NS_I" 2>/dev/null || true
  ip netns del "$NS_R" 2>/dev/null || true
  if [[ -n $WORK && -d $WORK ]]; then rm -rf "$WORK"; fi
  WORK=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# --- PKI (openssl; `openssl ca` because `x509 -req` cannot set arbitrary validity dates in OpenSSL 3.0) -------------
make_root() { # dir cn
  local dir=$1 cn=$2
  mkdir -p "$dir/newcerts"
  : >"$dir/index.txt"
  echo 1000 >"$dir/serial"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  cat >"$dir/ca.cnf" <<EOF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = any_cn
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[ any_cn ]
commonName = supplied
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

issue_leaf() { # ca_dir out_prefix cn start end
  local ca=$1 out=$2 cn=$3 start=$4 end=$5
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$out.key" -out "$out.csr" 2>/dev/null
  openssl ca -batch -notext -config "$ca/ca.cnf" -cert "$ca/ca.crt" -keyfile "$ca/ca.key" \
    -startdate "$start" -enddate "$end" -in "$out.csr" -out "$out.crt" 2>/dev/null
}

make_pki() { # dir
  local pki=$1
  make_root "$pki/device-root" "$DEVICE_ROOT_CN"
  make_root "$pki/gateway-root" "$GATEWAY_ROOT_CN"
  make_root "$pki/rogue-root" "$ROGUE_ROOT_CN"
  local from now_plus now_minus
  from=$(stamp '-1 day'); now_plus=$(stamp '+365 days'); now_minus=$(stamp '-400 days')
  issue_leaf "$pki/device-root" "$pki/device" "$DEVICE_CN" "$from" "$now_plus"
  issue_leaf "$pki/device-root" "$pki/other-device" "$OTHER_DEVICE_CN" "$from" "$now_plus"
  issue_leaf "$pki/device-root" "$pki/device-expired" "$DEVICE_CN" "$now_minus" "$(stamp '-35 days')"
  issue_leaf "$pki/device-root" "$pki/device-future" "$DEVICE_CN" "$(stamp '+30 days')" "$(stamp '+400 days')"
  issue_leaf "$pki/gateway-root" "$pki/gateway" "$GATEWAY_CN" "$from" "$now_plus"
  issue_leaf "$pki/rogue-root" "$pki/gateway-rogue" "$GATEWAY_CN" "$from" "$now_plus"
}

# --- one daemon ------------------------------------------------------------------------------------------------------
# write_peer dir ip peer_ip leaf_prefix trusted_root_dirs(space-separated) local_auth remote_auth remote_id proposals local_ts remote_ts psk
# psk: the pre-shared key this side holds for the pair of identities, or "" for none.
write_peer() {
  local dir=$1 ip=$2 peer_ip=$3 leaf=$4 roots=$5 local_auth=$6 remote_auth=$7 remote_id=$8 proposals=$9 local_ts=${10} remote_ts=${11} psk=${12}
  mkdir -p "$dir/run" "$dir/swanctl/x509" "$dir/swanctl/x509ca" "$dir/swanctl/private"
  cat >"$dir/strongswan.conf" <<EOF
charon {
  # Debian's modular defaults load plugins that join multicast groups or fail inside a namespace.
  load_modular = no
  load = random nonce aes sha1 sha2 md5 pem pkcs1 pkcs8 gmp curve25519 x509 revocation constraints pubkey openssl hmac kdf gcm kernel-libipsec kernel-netlink socket-default vici updown
  # Short retransmits so an unreachable peer gives up in seconds instead of 165 s.
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  retransmit_tries = 3
  install_virtual_ip = no
  plugins {
    vici { socket = unix://$dir/charon.vici }
    revocation { enable_ocsp = no
      enable_crl = no }
  }
  filelog {
    charon {
      path = $dir/charon.log
      time_format = %b %e %T
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
    }
  }
}
EOF
  local secrets="" local_certs="" local_id
  local_id="\"CN=$(openssl x509 -in "$leaf.crt" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')\""
  if [[ $local_auth == pubkey ]]; then
    cp "$leaf.crt" "$dir/swanctl/x509/local.crt"
    cp "$leaf.key" "$dir/swanctl/private/local.key"
    local_certs="certs = local.crt"
  fi
  if [[ -n $psk ]]; then
    secrets="secrets {
  ike-psk {
    id-a = $local_id
    id-b = \"$remote_id\"
    secret = \"$psk\"
  }
}"
  fi
  local root
  for root in $roots; do cp "$root/ca.crt" "$dir/swanctl/x509ca/$(basename "$root").crt"; done
  cat >"$dir/swanctl/swanctl.conf" <<EOF
connections {
  s2s {
    version = 2
    local_addrs = $ip
    remote_addrs = $peer_ip
    proposals = $proposals
    dpd_delay = 45s
    local {
      auth = $local_auth
      $local_certs
      id = $local_id
    }
    remote {
      auth = $remote_auth
      id = "$remote_id"
    }
    children {
      net {
        local_ts = $local_ts
        remote_ts = $remote_ts
        esp_proposals = aes256-sha256,aes128-sha256
        start_action = none
      }
    }
  }
}
$secrets
EOF
}

start_daemon() { # ns dir
  local ns=$1 dir=$2
  # charon hard-codes /var/run/charon.pid: give each daemon its own /run in a private mount namespace.
  ip netns exec "$ns" unshare --mount --propagation private sh -c \
    "mount --bind '$dir/run' /run && exec env STRONGSWAN_CONF='$dir/strongswan.conf' '$CHARON'" \
    >"$dir/daemon.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    [[ -S $dir/charon.vici ]] && return 0
    sleep 0.05
  done
  die "charon in $ns did not open its vici socket; see $dir/daemon.out"
}

swan() { # dir command args...  (swanctl wants --uri after the command)
  local dir=$1 command=$2; shift 2
  SWANCTL_DIR="$dir/swanctl" swanctl "$command" --uri "unix://$dir/charon.vici" "$@"
}

make_net() {
  ip netns del "$NS_I" 2>/dev/null || true
  ip netns del "$NS_R" 2>/dev/null || true
  ip netns add "$NS_I"
  ip netns add "$NS_R"
  ip link add "$VETH_I" netns "$NS_I" type veth peer name "$VETH_R" netns "$NS_R"
  ip -n "$NS_I" addr add "$IP_I/24" dev "$VETH_I"
  ip -n "$NS_R" addr add "$IP_R/24" dev "$VETH_R"
  ip -n "$NS_I" link set lo up
  ip -n "$NS_R" link set lo up
  ip -n "$NS_I" addr add "$LAN_I_HOST" dev lo
  ip -n "$NS_R" addr add "$LAN_R_HOST" dev lo
  ip -n "$NS_I" link set "$VETH_I" up
  ip -n "$NS_R" link set "$VETH_R" up
}

run_scenario() { # name
  local name=$1
  WORK=$(mktemp -d /tmp/ike-strongswan.XXXXXX)
  local pki=$WORK/pki
  make_pki "$pki"

  # Defaults describe the good case; each scenario changes one thing.
  local i_leaf=$pki/device i_roots="$pki/gateway-root" i_auth=pubkey i_remote_auth=pubkey i_remote_id="CN=$GATEWAY_CN"
  local r_leaf=$pki/gateway r_roots="$pki/device-root" r_auth=pubkey r_remote_auth=pubkey r_remote_id="CN=$DEVICE_CN"
  local i_props="aes256-sha256-modp2048,aes256-sha1-modp1024" r_props="aes256-sha256-modp2048,aes256-sha1-modp1024"
  local i_lts=$LAN_I i_rts=$LAN_R r_lts=$LAN_R r_rts=$LAN_I
  local i_psk="" r_psk=""
  local unreachable=no

  case $name in
    good) ;;
    # The gateway's leaf comes from a root the device does not trust: the initiator rejects the responder.
    wrong-root) r_leaf=$pki/gateway-rogue ;;
    # The device presents a trusted certificate whose subject is not the one the gateway is configured to accept.
    subject-mismatch) i_leaf=$pki/other-device ;;
    expired) i_leaf=$pki/device-expired ;;
    not-yet-valid) i_leaf=$pki/device-future ;;
    # The initiator offers Azure's default IKE proposals; the responder accepts only GCM/ECP.
    proposal-mismatch)
      i_props="aes256-sha1-modp1024,aes256-sha256-modp1024,aes128-sha1-modp1024,aes128-sha256-modp1024,3des-sha1-modp1024,3des-sha256-modp1024"
      r_props="aes256gcm16-prfsha384-ecp384" ;;
    # The gateway's selectors name other prefixes than the device's (e.g. a VNet prefix changed on one side only).
    ts-mismatch) r_lts=10.99.3.0/24; r_rts=10.99.4.0/24 ;;
    # The device still expects the gateway's certificate, but the gateway presents another identity.
    gateway-id-mismatch) i_remote_id="CN=*, O=Contoso Azure" ;;
    # The device authenticates with a pre-shared key while the gateway expects a certificate and knows no key.
    psk-one-side) i_auth=psk; i_psk=$PSK_SECRET ;;
    # Same, but the gateway still holds the key from an earlier PSK connection, so the key verifies and the
    # certificate requirement is what rejects it.
    psk-one-side-key-known) i_auth=psk; i_psk=$PSK_SECRET; r_psk=$PSK_SECRET ;;
    # Both sides use pre-shared keys that differ (kept for the parser: this is how a wrong key looks).
    psk-mismatch) i_auth=psk; i_remote_auth=psk; r_auth=psk; r_remote_auth=psk; i_psk=$PSK_SECRET; r_psk="$PSK_SECRET-changed" ;;
    peer-unreachable) unreachable=yes ;;
    *) die "unknown scenario '$name' (known: ${ALL_SCENARIOS[*]})" ;;
  esac

  make_net
  write_peer "$WORK/initiator" "$IP_I" "$IP_R" "$i_leaf" "$i_roots" "$i_auth" "$i_remote_auth" "$i_remote_id" "$i_props" "$i_lts" "$i_rts" "$i_psk"
  write_peer "$WORK/responder" "$IP_R" "$IP_I" "$r_leaf" "$r_roots" "$r_auth" "$r_remote_auth" "$r_remote_id" "$r_props" "$r_lts" "$r_rts" "$r_psk"
  start_daemon "$NS_R" "$WORK/responder"
  start_daemon "$NS_I" "$WORK/initiator"
  swan "$WORK/responder" --load-all --noprompt >"$WORK/responder/load.out" 2>&1 || die "responder config failed to load: $(cat "$WORK/responder/load.out")"
  swan "$WORK/initiator" --load-all --noprompt >"$WORK/initiator/load.out" 2>&1 || die "initiator config failed to load: $(cat "$WORK/initiator/load.out")"

  if [[ $unreachable == yes ]]; then
    # Packets to the gateway vanish (no ARP answer), the way a blocked UDP 500 path looks to the initiator.
    ip -n "$NS_R" link set "$VETH_R" down
  fi

  local started=$SECONDS rc=0
  swan "$WORK/initiator" --initiate --child net --timeout 30 >"$WORK/initiate.out" 2>&1 || rc=$?
  # Give the responder a moment to log its side of the final exchange.
  sleep 0.5
  log "$name: swanctl --initiate exit $rc after $((SECONDS - started)) s"

  cleanup_daemons_only
  mkdir -p "$OUT_DIR"
  cp "$WORK/initiator/charon.log" "$OUT_DIR/$name-initiator.log"
  cp "$WORK/responder/charon.log" "$OUT_DIR/$name-responder.log"
  log "$name: wrote $OUT_DIR/$name-{initiator,responder}.log ($(wc -l <"$OUT_DIR/$name-initiator.log") + $(wc -l <"$OUT_DIR/$name-responder.log") lines)"
  cleanup
}

# Stops both daemons (so their shutdown lines are in the logs) but keeps WORK until the logs are copied.
cleanup_daemons_only() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

main() {
  local scenarios=("$@")
  [[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${ALL_SCENARIOS[@]}")
  local s
  for s in "${scenarios[@]}"; do run_scenario "$s"; done
}

main "$@"
