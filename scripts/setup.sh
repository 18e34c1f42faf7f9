#!/usr/bin/env bash
# Idempotent machine setup for pgo-harness.
#  - Where a Docker engine already answers (a laptop, a hosted CI runner) Docker is left alone.
#  - Otherwise, on Debian/Ubuntu as root: installs the Docker engine, compose v2, buildx and debootstrap,
#    starts dockerd and waits for it.
#  - Always: checks Go >= 1.24 and installs the npm dependencies when they are missing or stale.
# Every refusal is one sentence that says what to do.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] %s\n' "$*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Go is found where its installer puts it even when the shell's PATH does not have it.
[ -x /usr/local/go/bin/go ] && case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) PATH="$PATH:/usr/local/go/bin" ;; esac

is_root() { [ "$(id -u)" -eq 0 ]; }
engine_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

distro_id() { . /etc/os-release 2>/dev/null && echo "${ID:-unknown}"; }
distro_codename() { . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}"; }

# Debian bookworm's docker.io is too old and its compose is v1, so the engine comes from trixie, pinned low so
# that nothing else is upgraded (it keeps bookworm's libc).
add_trixie_source() {
  if ! grep -rqs '^[^#]*trixie' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding the Debian trixie apt source (pinned at priority 100) for Docker packages"
    echo 'deb http://deb.debian.org/debian trixie main' >/etc/apt/sources.list.d/pgo-harness-trixie.list
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/pgo-harness-trixie
    apt_updated=0
  fi
}

install_docker_packages() {
  local id codename
  id=$(distro_id)
  codename=$(distro_codename)
  case "$id" in
    debian)
      if [ "$codename" = "bookworm" ]; then
        add_trixie_source
        apt_install -t trixie docker.io docker-compose docker-buildx
      else
        apt_install docker.io docker-compose docker-buildx
      fi
      ;;
    ubuntu)
      apt_install docker.io docker-compose-v2 docker-buildx
      ;;
    *)
      die "This setup knows Debian and Ubuntu only (found \"$id\"): install Docker with compose v2 and buildx yourself, start it, and run this script again."
      ;;
  esac
}

start_dockerd() {
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed although the Docker packages are: reinstall the docker.io package."
  if [ -S /var/run/docker.sock ] && ! engine_answers; then rm -f /var/run/docker.sock; fi
  log "starting dockerd (log: /var/log/pgo-harness-dockerd.log)"
  # setsid: the engine must outlive this script and not receive the terminal's Ctrl-C.
  setsid nohup dockerd >/var/log/pgo-harness-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_answers && { log "Docker engine is up"; return 0; }
    sleep 0.5
  done
  tail -n 20 /var/log/pgo-harness-dockerd.log >&2 || true
  die "dockerd did not answer within 60 s: read /var/log/pgo-harness-dockerd.log for the reason."
}

# --- Docker ---------------------------------------------------------------------------------------------
if engine_answers; then
  log "a Docker engine answers; leaving Docker as it is"
  docker compose version >/dev/null 2>&1 || die "Docker answers but 'docker compose' (v2) is missing: install the compose v2 plugin and run this script again."
  docker buildx version >/dev/null 2>&1 || log "note: docker buildx is missing; images are built through the engine's API, so this is only needed for multi-platform builds"
else
  is_root || die "No Docker engine answers and installing one needs root: run this script as root (sudo bash scripts/setup.sh) or start Docker yourself."
  need=()
  command -v dockerd >/dev/null 2>&1 || need+=(engine)
  docker compose version >/dev/null 2>&1 || need+=(compose)
  docker buildx version >/dev/null 2>&1 || need+=(buildx)
  if [ ${#need[@]} -gt 0 ]; then install_docker_packages; fi
  start_dockerd
  docker compose version >/dev/null 2>&1 || die "'docker compose' (v2) still does not work after installing: check that the compose plugin is in /usr/libexec/docker/cli-plugins."
fi

# debootstrap builds the base image when no registry can be reached.
if ! command -v debootstrap >/dev/null 2>&1; then
  if is_root && [ -r /etc/os-release ]; then apt_install debootstrap
  else log "note: debootstrap is missing; set BASE_IMAGE to an image this engine has or can pull"; fi
fi

# The Antithesis submit tests push to a real local registry (Debian's docker-registry, htpasswd auth) standing
# in for Antithesis's repository; without these packages those tests are skipped, saying so.
if ! command -v docker-registry >/dev/null 2>&1 || ! command -v htpasswd >/dev/null 2>&1; then
  if is_root && [ -r /etc/os-release ]; then apt_install docker-registry apache2-utils
  else log "note: docker-registry or htpasswd is missing; the tests that push to a local registry will be skipped"; fi
fi
# docker-registry's package starts a system service on port 5000; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then systemctl stop docker-registry || true; fi

# Antithesis builds (ANTITHESIS=1, and the tests of them) compile with cgo: the SDK reaches Antithesis's coverage
# library through it.
if ! command -v gcc >/dev/null 2>&1; then
  if is_root && [ -r /etc/os-release ]; then apt_install gcc libc6-dev
  else log "note: gcc is missing; ANTITHESIS=1 builds (cgo) and their tests will fail"; fi
fi

# The run-page test opens a run's index.html in a real browser (headless Chromium); without it that test is
# skipped, saying so.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if is_root && [ "$(distro_id)" = debian ]; then apt_install chromium
  else log "note: chromium is missing; the test that renders a run's page in a browser will be skipped"; fi
fi

# --- Go -------------------------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go is not installed: install Go 1.24 or newer and put it on PATH (or at /usr/local/go)."
go_version=$(go env GOVERSION | sed 's/^go//')
IFS=. read -r go_major go_minor _ <<<"$go_version"
if [ "${go_major:-0}" -lt 1 ] || { [ "${go_major:-0}" -eq 1 ] && [ "${go_minor:-0}" -lt 24 ]; }; then
  die "Go $go_version is too old: install Go 1.24 or newer and put it first on PATH."
fi
log "Go $go_version"

# --- npm dependencies -----------------------------------------------------------------------------------
command -v npm >/dev/null 2>&1 || { is_root && apt_install nodejs npm; } || die "npm is missing: install Node.js (any version >= 18; the project brings its own Node 24) and npm."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "npm dependencies are up to date"
fi
log "ready"
