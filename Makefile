# Deux commandes pour commencer : « make lab » (le cours) et « make test » (la suite de tests).
# Chacune installe ce qu'il faut dans .venv la première fois.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe
# JupyterLab refuse de démarrer en root sans --allow-root (cas des machines de formation et de la CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
# Options supplémentaires pour JupyterLab, par ex. : make lab LAB_ARGS="--no-browser --port=8890"
LAB_ARGS ?=

.PHONY: lab test exercices install clean bench hub hub-installer test-hub

install: $(STAMP)

$(STAMP): pyproject.toml course/setup_lab.py course/clean_repo.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis (trouvé : %s). Indiquez-en un autre avec : make lab PYTHON=python3.12" % sys.version.split()[0])'
	@test -x $(BIN)/python || { echo "Création de l'environnement $(VENV)…"; $(PYTHON) -m venv $(VENV); }
	@echo "Installation du cours et de ses dépendances (quelques minutes la première fois)…"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@$(BIN)/python -m course.setup_lab
	@touch $(STAMP)

# default_url: the address JupyterLab prints (to copy into a browser when none opens, on a remote or
# headless machine) and the one it opens are both the course home, not the Launcher.
lab: $(STAMP)
	@echo "Ouverture du cours dans JupyterLab (arrêt : Ctrl+C deux fois)…"
	@echo "Si aucun navigateur ne s'ouvre, copiez dans votre navigateur l'adresse affichée plus bas (elle contient /lab/tree/notebooks/sommaire.ipynb)."
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/sommaire.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# Code de sortie 5 de pytest = aucun test collecté : c'est une erreur, pas un succès.
test: $(STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "ERREUR : pytest n'a trouvé aucun test."; exit 1; fi; exit $$status

# Régénère les versions apprenant (exercises/) depuis les sources nbgrader (solutions/).
exercices: $(STAMP)
	$(BIN)/python -m course.release

# Vitesse de correction : nbgrader seul contre « formation », 30 puis 100 apprenants (README, « Performances »).
bench: $(STAMP)
	$(BIN)/python benchmarks/grading.py 30 100
	$(BIN)/python benchmarks/learner_side.py

clean:
	rm -rf $(VENV) .pytest_cache

# Serveur de formation multi-apprenants (JupyterHub, comptes unix réels), en root sur le serveur :
# installe ou met à jour dans /opt/cours-dns et /srv/cours-dns, puis démarre (docs/guide_formateur.md, section 7).
hub-installer:
	bash deploy/hub/install.sh

hub: hub-installer
	bash deploy/hub/start.sh

# Test de bout en bout du hub (root, vrais comptes unix créés puis supprimés, 127.0.0.1 seulement).
test-hub: $(STAMP)
	COURS_DNS_TEST_HUB=1 $(BIN)/python -m pytest -m hub -p no:cacheprovider \
		tests/test_hub.py tests/browser/test_hub_navigateur.py tests/test_hub_charge.py $(PYTEST_ARGS)
