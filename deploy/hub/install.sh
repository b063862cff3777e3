#!/usr/bin/env bash
# Installe (ou met à jour) le serveur de formation JupyterHub du cours, en root.
# Idempotent : relancer ne recrée que ce qui manque et recopie le cours.
#
# Réglages (variables d'environnement, valeurs par défaut entre parenthèses) :
#   COURS_DNS_PREFIX     logiciels : copie du cours, environnement Python, proxy (/opt/cours-dns)
#   COURS_DNS_DATA       données : session, espace d'échange, état du hub (/srv/cours-dns)
#   COURS_DNS_COURS      identifiant du cours pour nbgrader (dns)
#   COURS_DNS_FORMATEUR  compte unix du formateur, administrateur du hub (formateur)
#   COURS_DNS_IP / COURS_DNS_PORT   adresse d'écoute du hub (127.0.0.1 / 8000)
#   COURS_DNS_MEMOIRE / COURS_DNS_CPU  limites par apprenant, là où systemd tourne (1G / 1 cœur)
set -euo pipefail
umask 022

PREFIX=${COURS_DNS_PREFIX:-/opt/cours-dns}
DATA=${COURS_DNS_DATA:-/srv/cours-dns}
COURSE_ID=${COURS_DNS_COURS:-dns}
TRAINER=${COURS_DNS_FORMATEUR:-formateur}
IP=${COURS_DNS_IP:-127.0.0.1}
PORT=${COURS_DNS_PORT:-8000}
PROXY_VERSION=5.3.0
HUB_VERSION=6.1.1
CULLER_VERSION=2.0.0
SYSTEMD_SPAWNER_VERSION=1.0.2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
VENV=$PREFIX/venv

say() { echo "[hub] $*"; }
[ "$(id -u)" = 0 ] || { echo "Installation du serveur de formation : à lancer en root (sudo make hub)." >&2; exit 1; }
# Python de la distribution : un Python installé dans le dossier de root (pyenv…) n'est pas
# exécutable par les comptes des apprenants (PermissionError vérifiée sur ces machines).
/usr/bin/python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "/usr/bin/python3 doit être en version 3.11 ou plus." >&2; exit 1; }
command -v npm >/dev/null || { echo "npm est requis (apt-get install npm) pour configurable-http-proxy." >&2; exit 1; }

mkdir -p "$PREFIX" "$DATA"
chmod 0755 "$PREFIX" "$DATA"

say "Copie du cours dans $PREFIX/cours (lisible par tous, sauf solutions/)…"
rm -rf "$PREFIX/cours.new"
mkdir -p "$PREFIX/cours.new"
( cd "$SRC" && git ls-files -co --exclude-standard -z | tar --null -T - -cf - ) | tar -xf - -C "$PREFIX/cours.new"
chown -R root:root "$PREFIX/cours.new"
chmod -R a+rX,go-w "$PREFIX/cours.new"
# Les sources des devoirs contiennent les corrigés : root seul (formation s'exécute en root).
chmod 0700 "$PREFIX/cours.new/solutions"
rm -rf "$PREFIX/cours.old"
[ -d "$PREFIX/cours" ] && mv "$PREFIX/cours" "$PREFIX/cours.old"
mv "$PREFIX/cours.new" "$PREFIX/cours"
rm -rf "$PREFIX/cours.old"

if [ ! -x "$VENV/bin/jupyterhub" ] || [ "$SRC/pyproject.toml" -nt "$VENV/.installe" ]; then
  say "Environnement Python $VENV (depuis /usr/bin/python3, quelques minutes la première fois)…"
  [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$PREFIX/cours" \
    "jupyterhub==$HUB_VERSION" "jupyterhub-idle-culler==$CULLER_VERSION" 2>&1 | grep -v "is ignored: it is neither" || true
  "$VENV/bin/python" -c 'import jupyterhub, jupyterhub_idle_culler, course' \
    || { echo "Installation Python incomplète." >&2; exit 1; }
  touch "$VENV/.installe"
fi
# SystemdSpawner (memory and CPU limits per learner) only where systemd runs the machine: a container
# without systemd keeps LocalProcessSpawner (jupyterhub_config.py picks whichever is there).
if [ -d /run/systemd/system ] && ! "$VENV/bin/python" -c 'import systemdspawner' 2>/dev/null; then
  say "jupyterhub-systemdspawner $SYSTEMD_SPAWNER_VERSION (limites de mémoire et de processeur par apprenant)…"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "jupyterhub-systemdspawner==$SYSTEMD_SPAWNER_VERSION"
fi
chmod -R a+rX "$VENV"
# « formation » is the trainer's tool and runs as root (sudo formation-hub): not for learners' accounts.
chmod 0700 "$VENV/bin/formation"

if [ ! -x "$PREFIX/proxy/node_modules/.bin/configurable-http-proxy" ]; then
  # Le proxy npm : son portage PyPI cassait les websockets des noyaux dans le navigateur.
  say "configurable-http-proxy $PROXY_VERSION (npm)…"
  npm install --silent --no-fund --no-audit --prefix "$PREFIX/proxy" "configurable-http-proxy@$PROXY_VERSION"
fi

say "JupyterLab des apprenants : français, onglet Assignments, sans outils formateur…"
"$VENV/bin/python" "$PREFIX/cours/deploy/hub/setup_env.py" --exchange "$DATA/echange" --course-id "$COURSE_ID"

say "Session de formation $DATA/session (root, privée) et espace d'échange $DATA/echange (racine 1777)…"
if [ ! -f "$DATA/session/formation.json" ]; then
  "$VENV/bin/formation" --session "$DATA/session" session creer --cours "$COURSE_ID" --echange "$DATA/echange"
fi

say "Compte du formateur « $TRAINER » (administrateur du hub)…"
"$VENV/bin/formation" --session "$DATA/session" comptes formateur "$TRAINER"
# Le formateur pilote la session avec « sudo formation-hub … » depuis un terminal de son JupyterLab
# (la session appartient à root : la correction isole chaque copie sous un compte sans privilège).
if [ "${COURS_DNS_SUDO:-1}" = 1 ]; then
  cat > /usr/local/bin/formation-hub <<WRAP
#!/bin/sh
exec $VENV/bin/formation --session $DATA/session "\$@"
WRAP
  chmod 0755 /usr/local/bin/formation-hub
  if [ -d /etc/sudoers.d ]; then
    echo "%formateurs ALL=(root) NOPASSWD: /usr/local/bin/formation-hub" > /etc/sudoers.d/cours-dns
    chmod 0440 /etc/sudoers.d/cours-dns
  fi
  command -v sudo >/dev/null || say "ATTENTION : sudo n'est pas installé (apt-get install sudo) : le formateur ne pourra pas lancer formation-hub depuis son JupyterLab."
fi
mkdir -p "$DATA/hub"
chmod 0700 "$DATA/hub"
cat > "$DATA/hub/reglages.env" <<ENV
COURS_DNS_PREFIX=$PREFIX
COURS_DNS_DATA=$DATA
COURS_DNS_COURS=$COURSE_ID
COURS_DNS_FORMATEUR=$TRAINER
COURS_DNS_IP=$IP
COURS_DNS_PORT=$PORT
COURS_DNS_MEMOIRE=${COURS_DNS_MEMOIRE:-1G}
COURS_DNS_CPU=${COURS_DNS_CPU:-1}
ENV
say "Installé. Démarrage : sudo make hub (ou bash $PREFIX/cours/deploy/hub/start.sh)."
