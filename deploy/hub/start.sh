#!/usr/bin/env bash
# Démarre le hub de la session installé par install.sh (en root). Arrêt : Ctrl+C.
set -euo pipefail
DATA=${COURS_DNS_DATA:-/srv/cours-dns}
[ "$(id -u)" = 0 ] || { echo "Le hub se lance en root (il démarre le JupyterLab de chaque compte) : sudo make hub." >&2; exit 1; }
[ -f "$DATA/hub/reglages.env" ] || { echo "Hub non installé dans $DATA : lancez d'abord sudo make hub-installer." >&2; exit 1; }
set -a; . "$DATA/hub/reglages.env"; set +a
cd "$DATA/hub"
echo "Hub du cours : http://$COURS_DNS_IP:$COURS_DNS_PORT (formateur : $COURS_DNS_FORMATEUR). Arrêt : Ctrl+C."
exec "$COURS_DNS_PREFIX/venv/bin/jupyterhub" -f "$COURS_DNS_PREFIX/cours/deploy/hub/jupyterhub_config.py"
