"""Génère le jeu de données FICTIF du module 4 (le médico-social).

    python tools/generer_donnees_module4.py

Écrit :

- ``data/esms_region_fictifs.csv`` : 170 établissements et services sociaux et médico-sociaux
  (ESSMS) inventés de la région imaginaire du cas fil rouge, avec leur catégorie, leur domaine,
  leur grappe du programme ESMS numérique, l'état de leur dossier usager informatisé (DUI) et le
  nombre de personnes accompagnées ;
- ``data/esms_region_fictifs.md`` : la fiche du jeu, destinée aux apprenants (colonnes et règles
  de fabrication, sans aucun résultat d'exercice) ;
- ``docs/formateur/module4_donnees.md`` : la note réservée au formateur, avec les résultats
  attendus des exercices du devoir (recalculés à chaque exécution).

Graine fixe (``random.Random(2604)``) et bibliothèque standard seule : deux exécutions donnent
des fichiers identiques, octet pour octet.

Règles suivies :

- région : la région imaginaire du cas (``territoire.region`` dans ``data/fil_rouge.yaml``), avec
  ses quatre territoires (Trois-Rivières, Val d'Ormes, Plateau-Nord, Côte-Sud), comme le parc
  hospitalier du module 3 ;
- identifiants au format FINESS (9 caractères ; ici 9 chiffres commençant par 45, le département du
  cas, comme les numéros de ``data/fil_rouge.yaml`` et du module 3) ; numéros inventés, tirés au
  hasard dans la plage 452000000-452999999 pour ne jamais reprendre un numéro du cas (4500000xx) ni
  du parc hospitalier du module 3 (45001xxxx) ;
- catégories d'établissement : codes et libellés de la nomenclature TRE_R66-CategorieEtablissement
  de l'ANS (https://github.com/ansforge/IG-NOS, ig/allNos2/CodeSystem-TRE-R66-CategorieEtablissement.json) ;
- domaines : sigles des domaines du référencement Ségur des DUI (PA, PH, DOM, PDE, PDS, AHI, PJM,
  https://esante.gouv.fr/social-et-medico-social-en-savoir-plus-sur-le-segur-du-numerique-en-sante) ;
  le rattachement d'une catégorie à un domaine est un choix du cours pour l'exercice ;
- grappes : regroupements d'au moins 15 ESSMS exigés pour candidater à l'appel à projets régional
  (https://www.cnsa.fr/print/grands-chantiers/programme-esms-numerique/obtenir-une-aide-a-linvestissement-numerique) ;
  le jeu contient volontairement des grappes trop petites.

Tout est inventé : noms, numéros, gestionnaires, éditeurs (sauf « Logidoc Santé », éditeur
fictif du cas), dates et effectifs.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter, defaultdict
from pathlib import Path

GRAINE = 2604
RACINE = Path(__file__).resolve().parent.parent
DATA = RACINE / "data"
CSV = DATA / "esms_region_fictifs.csv"
FICHE = DATA / "esms_region_fictifs.md"
NOTE_FORMATEUR = RACINE / "docs" / "formateur" / "module4_donnees.md"

DATE_SITUATION = dt.date(2025, 12, 31)
# The four territories of the case's fictitious region (data/fil_rouge.yaml, module 3).
TERRITOIRES = ["Trois-Rivières", "Val d'Ormes", "Plateau-Nord", "Côte-Sud"]
TERRITOIRE_DU_CAS = "Trois-Rivières"
FINESS_DU_CAS = {"450000021", "450000039", "450000047", "450000054", "450000062", "450000070"}

# (code TRE_R66, libellé court utilisé dans le jeu, domaine retenu par le cours, nombre, places min, places max)
CATEGORIES = [
    ("500", "EHPAD", "PA", 44, 40, 120),
    ("202", "Résidence autonomie", "PA", 10, 20, 80),
    ("354", "SSIAD", "DOM", 17, 25, 90),
    ("460", "SAAD", "DOM", 20, 30, 250),
    ("183", "IME", "PH", 12, 30, 90),
    ("246", "ESAT", "PH", 10, 40, 120),
    ("255", "MAS", "PH", 6, 25, 60),
    ("437", "FAM", "PH", 6, 20, 50),
    ("382", "Foyer de vie", "PH", 6, 20, 50),
    ("177", "MECS", "PDE", 10, 15, 60),
    ("175", "Foyer de l'enfance", "PDE", 3, 20, 50),
    ("197", "CSAPA", "PDS", 5, 80, 400),
    ("178", "CAARUD", "PDS", 2, 60, 300),
    ("214", "CHRS", "AHI", 8, 20, 90),
    ("443", "CADA", "AHI", 4, 40, 120),
    ("340", "Service mandataire judiciaire", "PJM", 5, 150, 600),
]
LIEUX = [
    "Les Acacias", "Les Peupliers", "Le Moulin", "La Source", "Les Charmes", "Le Verger", "Les Hêtres",
    "Bel-Air", "Les Saules", "La Roseraie", "Les Ormeaux", "Le Clos", "Les Lavandes", "La Prairie",
    "Les Cèdres", "Le Parc", "Les Bruyères", "La Fontaine", "Les Marronniers", "Le Val", "Les Iris",
    "La Colline", "Les Chênes", "Le Pré", "Les Bleuets", "La Rivière", "Les Noisetiers", "Le Bocage",
    "Les Tournesols", "La Garenne", "Les Pins", "Le Coteau", "Les Mimosas", "La Vigne", "Les Aulnes",
    "Le Hameau", "Les Érables", "La Clairière", "Les Sorbiers", "Le Plateau", "Les Tilleuls du Val",
    "La Loire", "Les Genêts", "Le Cher", "Les Primevères", "L'Étang", "Les Lilas", "La Forêt",
]
GESTIONNAIRES = [
    "Association Âges et Vie du Val (fictive)", "Fondation Trois-Rivières (fictive)",
    "Centre communal d'action sociale de Saint-Ormes (fictif)", "Mutualité du Val d'Ormes (fictive)",
    "Association Horizons Handicap (fictive)", "Groupe Résidences du Centre (fictif)",
    "Association Enfance et Avenir (fictive)", "Association Solidarité Accueil (fictive)",
    "Association Soins à domicile du Bocage (fictive)", "Établissement public départemental du Coteau (fictif)",
    "Association Tutelles et Droits (fictive)", "Association Addictions Prévention (fictive)",
]
EDITEURS = ["Logidoc Santé", "Arbor Logiciels (fictif)", "MédicoNet (fictif)", "Passerelle SI (fictif)"]

# Grappes : taille visée et calendrier (année de la convention avec l'ARS).
GRAPPES = {
    "G01": (22, 2022), "G02": (18, 2022), "G03": (16, 2023), "G04": (15, 2023), "G05": (20, 2023),
    "G06": (17, 2024), "G07": (15, 2024), "G08": (9, 2024), "G09": (12, 2025), "G10": (14, 2025),
}
TAILLE_MIN = 15
CIBLE_REGIONALE = 6_500   # cible FICTIVE de DUI actifs au 31 décembre 2024, pour l'exercice
OBJECTIF_COPIL = 0.8      # objectif FICTIF : 80 % des ESSMS d'une grappe avec un DUI en production
STATUTS = ["aucun", "commandé", "en déploiement", "en production"]


def iso(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def plus_mois(date: dt.date, mois: int) -> dt.date:
    annee, m = divmod(date.month - 1 + mois, 12)
    return dt.date(date.year + annee, m + 1, min(date.day, 28))


def generer(rng: random.Random) -> list[dict]:
    lignes: list[dict] = []
    pris = set(FINESS_DU_CAS)
    lieux_pris: Counter = Counter()
    for code, libelle, domaine, nombre, pmin, pmax in CATEGORIES:
        for _ in range(nombre):
            territoire = rng.choice(TERRITOIRES)
            while True:
                finess = "452" + f"{rng.randrange(10**6):06d}"
                if finess not in pris:
                    pris.add(finess)
                    break
            lieu = rng.choice(LIEUX)
            lieux_pris[(libelle, lieu)] += 1
            nom = f"{libelle} {lieu}" + (f" {lieux_pris[(libelle, lieu)]}" if lieux_pris[(libelle, lieu)] > 1 else "")
            lignes.append({
                "jeu": "FICTIF", "finess_et": finess, "nom": nom, "territoire": territoire,
                "categorie_code": code, "categorie": libelle, "domaine": domaine,
                "gestionnaire": rng.choice(GESTIONNAIRES),
                "personnes_accompagnees": rng.randint(pmin, pmax),
            })
    # L'EHPAD du cas fil rouge (data/fil_rouge.yaml) et le SSIAD du cas.
    lignes.append({"jeu": "FICTIF", "finess_et": "450000062", "nom": "EHPAD Les Glycines", "territoire": TERRITOIRE_DU_CAS,
                   "categorie_code": "500", "categorie": "EHPAD", "domaine": "PA",
                   "gestionnaire": "Association Âges et Vie du Val (fictive)", "personnes_accompagnees": 84})
    lignes.append({"jeu": "FICTIF", "finess_et": "450000070", "nom": "SSIAD du Val d'Ormes", "territoire": TERRITOIRE_DU_CAS,
                   "categorie_code": "354", "categorie": "SSIAD", "domaine": "DOM",
                   "gestionnaire": "Association Soins à domicile du Bocage (fictive)", "personnes_accompagnees": 60})

    # Répartition en grappes : chaque grappe mêle des domaines ; les deux structures du cas vont
    # dans G07 (la grappe que l'EHPAD vient de rejoindre), le reste reste hors grappe.
    cas = [l for l in lignes if l["finess_et"] in ("450000062", "450000070")]
    autres = [l for l in lignes if l not in cas]
    rng.shuffle(autres)
    position = 0
    for grappe, (taille, _) in GRAPPES.items():
        membres = cas if grappe == "G07" else []
        besoin = taille - len(membres)
        membres = membres + autres[position:position + besoin]
        position += besoin
        for ligne in membres:
            ligne["grappe"] = grappe
    for ligne in autres[position:]:
        ligne["grappe"] = ""

    # Un éditeur par grappe (la mutualisation impose souvent une même solution) ; état du DUI.
    editeur_grappe = {g: EDITEURS[i % len(EDITEURS)] for i, g in enumerate(GRAPPES)}
    editeur_grappe["G07"] = "Logidoc Santé"
    for ligne in lignes:
        grappe = ligne["grappe"]
        if grappe:
            annee = GRAPPES[grappe][1]
            poids = {2022: [0, 3, 7, 90], 2023: [0, 5, 15, 80], 2024: [2, 20, 38, 40], 2025: [5, 55, 35, 5]}[annee]
            statut = rng.choices(STATUTS, weights=poids)[0]
            commande = dt.date(annee, rng.randint(1, 9), rng.randint(1, 28))
            editeur = editeur_grappe[grappe]
        else:
            statut = rng.choices(STATUTS, weights=[70, 8, 7, 15])[0]
            commande = dt.date(rng.randint(2021, 2024), rng.randint(1, 12), rng.randint(1, 28))
            editeur = rng.choice(EDITEURS[1:])
        if ligne["finess_et"] == "450000062":
            statut, commande = "commandé", dt.date(2025, 10, 6)
        if ligne["finess_et"] == "450000070":
            statut, commande = "en déploiement", dt.date(2025, 3, 17)
        production = None
        if statut == "en production":
            production = plus_mois(commande, rng.randint(4, 14))
            if production > DATE_SITUATION:
                statut, production = "en déploiement", None
        if statut == "aucun":
            commande, editeur = None, ""
        ligne["editeur_dui"] = editeur
        ligne["statut_dui"] = statut
        ligne["date_commande"] = iso(commande)
        ligne["date_mise_en_production"] = iso(production)
        if statut == "en production":
            part = rng.uniform(0.75, 1.0)
            ligne["dui_actifs"] = max(1, round(ligne["personnes_accompagnees"] * part))
        else:
            ligne["dui_actifs"] = 0
    lignes.sort(key=lambda l: l["finess_et"])
    return lignes


COLONNES = ["jeu", "finess_et", "nom", "territoire", "categorie_code", "categorie", "domaine", "gestionnaire",
            "grappe", "editeur_dui", "statut_dui", "date_commande", "date_mise_en_production",
            "personnes_accompagnees", "dui_actifs"]


def ecrire_csv(lignes: list[dict]) -> None:
    with CSV.open("w", encoding="utf-8", newline="") as fichier:
        ecrivain = csv.DictWriter(fichier, fieldnames=COLONNES, lineterminator="\n")
        ecrivain.writeheader()
        ecrivain.writerows(lignes)


FICHE_TEXTE = """# `esms_region_fictifs.csv` — ESSMS FICTIFS de la région du cas (module 4)

> **Données FICTIVES.** Aucune ligne ne décrit une structure réelle. Les noms, numéros,
> gestionnaires, éditeurs, dates et effectifs sont inventés ; toute ressemblance avec une
> structure réelle serait fortuite. La colonne `jeu` vaut `FICTIF` sur chaque ligne. Les deux
> structures du cas fil rouge (EHPAD Les Glycines, SSIAD du Val d'Ormes) y figurent avec les
> numéros de `data/fil_rouge.yaml`.

Jeu produit par `tools/generer_donnees_module4.py` (graine fixe : le relancer redonne exactement
le même fichier). Il sert aux démonstrations de la leçon du module 4 et aux exercices du devoir.
Situation figée au {situation}.

## Format

Fichier CSV encodé en UTF-8, séparateur virgule, une ligne d'en-tête, {n} lignes de données.
Lire `finess_et` et `categorie_code` comme du texte
(`pd.read_csv(..., dtype={{"finess_et": str, "categorie_code": str}})`) : ce sont
des codes, pas des nombres.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `finess_et` | numéro de l'établissement au format FINESS : 9 caractères (ici 9 chiffres commençant par 45, le département du cas fil rouge) ; numéros inventés |
| `nom` | nom inventé de la structure |
| `territoire` | territoire de la région imaginaire du cas : `Trois-Rivières`, `Val d'Ormes`, `Plateau-Nord` ou `Côte-Sud` (les mêmes que le parc hospitalier du module 3) |
| `categorie_code`, `categorie` | catégorie d'établissement : code de la nomenclature TRE_R66-CategorieEtablissement de l'ANS et libellé court |
| `domaine` | domaine du référencement Ségur des DUI auquel le cours rattache la structure : `PA`, `PH`, `DOM`, `PDE`, `PDS`, `AHI` ou `PJM` (rattachement choisi pour l'exercice) |
| `gestionnaire` | organisme gestionnaire inventé |
| `grappe` | grappe du programme ESMS numérique (`G01` à `G10`) ; **vide** si la structure n'appartient à aucune grappe |
| `editeur_dui` | éditeur du DUI (vide si aucun DUI) ; « Logidoc Santé » est l'éditeur fictif du cas |
| `statut_dui` | `aucun`, `commandé`, `en déploiement` ou `en production` |
| `date_commande` | date de commande du DUI `AAAA-MM-JJ` (vide si aucun DUI) |
| `date_mise_en_production` | date de mise en production `AAAA-MM-JJ` (vide si le DUI n'est pas en production) |
| `personnes_accompagnees` | nombre de personnes accompagnées par la structure |
| `dui_actifs` | nombre de dossiers usagers actifs dans le DUI, au sens **simplifié** retenu par le cours : dossiers ouverts et utilisés dans un DUI en production (0 sinon). Ce n'est pas la définition officielle de l'indicateur national |

Règles de cohérence : `dui_actifs` ne dépasse jamais `personnes_accompagnees` ; il est nul sauf pour
un DUI `en production` ; une structure `en production` a une date de mise en production postérieure
à sa date de commande. Le jeu contient volontairement des grappes de moins de 15 structures et des
structures hors grappe.
"""

NOTE_TEXTE = """# Module 4 — Données fictives du devoir : résultats attendus (réservé au formateur)

> Note réservée aux formateurs : **ne pas la distribuer aux apprenants**. Les valeurs ci-dessous
> sont les résultats de la solution de référence des exercices du devoir du module 4
> (`solutions/module4/module4_evaluation.ipynb`). La fiche destinée aux apprenants
> (`data/esms_region_fictifs.md`) décrit les colonnes sans donner ces résultats.

Écrite par `tools/generer_donnees_module4.py` (graine fixe) : ne pas la corriger à la main.
Situation du jeu au {situation} ; {n} structures, toutes `jeu = FICTIF`.

## Répartition

| domaine | structures | DUI en production | part en production |
|---|---|---|---|
{lignes_domaines}

| grappe | structures | DUI en production | part en production | DUI actifs |
|---|---|---|---|---|
{lignes_grappes}

Structures hors grappe : {hors_grappe}.

## Résultats attendus des exercices (solution de référence)

- Grappes sous la taille minimale de {taille_min} structures : {sous_minimum}.
- DUI actifs des structures mises en production au plus tard le 31 décembre 2024 : {actifs_2024}
  pour une cible fictive de {cible} ; taux d'atteinte {taux_2024} ; cible {atteinte}.
- EHPAD Les Glycines : grappe G07, DUI « {statut_glycines} », éditeur {editeur_glycines}.

Pistes de discussion (hors barème) : une grappe exactement à {taille_min} structures est recevable
(« au moins ») mais fragile si un membre se retire ; les structures hors grappe ne peuvent pas
candidater seules à l'appel régional ; une forte part « commandé » dans une grappe récente n'est pas
un échec mais un calendrier.
"""


def resume(lignes: list[dict]) -> dict:
    par_domaine: dict[str, Counter] = defaultdict(Counter)
    par_grappe: dict[str, Counter] = defaultdict(Counter)
    for l in lignes:
        prod = l["statut_dui"] == "en production"
        par_domaine[l["domaine"]]["n"] += 1
        par_domaine[l["domaine"]]["prod"] += prod
        if l["grappe"]:
            par_grappe[l["grappe"]]["n"] += 1
            par_grappe[l["grappe"]]["prod"] += prod
            par_grappe[l["grappe"]]["actifs"] += l["dui_actifs"]
    actifs_2024 = sum(l["dui_actifs"] for l in lignes
                      if l["date_mise_en_production"] and l["date_mise_en_production"] <= "2024-12-31")
    glycines = next(l for l in lignes if l["finess_et"] == "450000062")
    return {
        "lignes_domaines": "\n".join(
            f"| {d} | {c['n']} | {c['prod']} | {c['prod'] / c['n']:.3f} |" for d, c in sorted(par_domaine.items())),
        "lignes_grappes": "\n".join(
            f"| {g} | {c['n']} | {c['prod']} | {c['prod'] / c['n']:.3f} | {c['actifs']} |"
            for g, c in sorted(par_grappe.items())),
        "hors_grappe": sum(1 for l in lignes if not l["grappe"]),
        "sous_minimum": ", ".join(sorted(g for g, c in par_grappe.items() if c["n"] < TAILLE_MIN)),
        "actifs_2024": actifs_2024, "cible": CIBLE_REGIONALE, "taux_2024": f"{actifs_2024 / CIBLE_REGIONALE:.3f}",
        "atteinte": "atteinte" if actifs_2024 >= CIBLE_REGIONALE else "non atteinte",
        "statut_glycines": glycines["statut_dui"], "editeur_glycines": glycines["editeur_dui"],
        "taille_min": TAILLE_MIN,
    }


def main() -> None:
    lignes = generer(random.Random(GRAINE))
    assert all(len(l["finess_et"]) == 9 and l["finess_et"].isdigit() for l in lignes)
    # Same region as module 3: every number in the case's département, none reused from its hospitals.
    with (DATA / "parc_hospitalier_fictif.csv").open(encoding="utf-8") as parc:
        hopitaux = {l["finess_et"] for l in csv.DictReader(parc)}
    assert all(l["finess_et"].startswith("45") and l["finess_et"] not in hopitaux for l in lignes)
    assert {l["territoire"] for l in lignes} == set(TERRITOIRES)
    assert len({l["finess_et"] for l in lignes}) == len(lignes)
    assert all(l["dui_actifs"] <= l["personnes_accompagnees"] for l in lignes)
    ecrire_csv(lignes)
    situation = DATE_SITUATION.strftime("%d/%m/%Y")
    FICHE.write_text(FICHE_TEXTE.format(situation=situation, n=len(lignes)), encoding="utf-8")
    NOTE_FORMATEUR.parent.mkdir(parents=True, exist_ok=True)
    NOTE_FORMATEUR.write_text(NOTE_TEXTE.format(situation=situation, n=len(lignes), **resume(lignes)),
                              encoding="utf-8")
    print(f"{CSV.relative_to(RACINE)} : {len(lignes)} lignes ; fiche et note du formateur écrites.")


if __name__ == "__main__":
    main()
