"""Génère les jeux de données FICTIFS du module 3 (process, labellisation, Ségur).

    python tools/generer_donnees_module3.py

Écrit, dans ``data/`` :

- ``catalogue_segur_fictif.csv`` : versions de logiciels candidates au référencement Ségur
  (éditeur, logiciel, version, couloir, dispositif, vague, statut, dates) ;
- ``parc_hospitalier_fictif.csv`` : les établissements de santé d'une région imaginaire et la
  version de dossier patient informatisé (DPI) que chacun a installée ;
- ``exigences_dsr_fictif.csv`` : une petite liste d'exigences bâtie sur la structure d'un dossier
  de spécifications de référencement (DSR) : identifiant, thème, nature EXIGENCE ou PRÉCONISATION ;
- ``preuves_logidoc_fictif.csv`` : le tableau de preuves que l'éditeur fictif « Logidoc Santé »
  (cas fil rouge) a réunies pour son DPI « Orme DPI » ;
- une fiche ``.md`` par fichier, pour les apprenants : elle décrit le format et les SORTES de
  pièges, jamais les comptes (qui sont des réponses du devoir noté) ;
- la note réservée au formateur ``docs/formateur/module3_donnees.md`` (les comptes).

Tout est inventé : éditeurs, logiciels, versions, établissements, dates, énoncés d'exigences.
Seuls les noms des couloirs (Hôpital, Médecin de ville, Biologie médicale, Imagerie, Officine,
Social et médico-social) et le schéma de nommage des dispositifs « couloir-logiciel-vague » sont
réels ; parmi les codes de dispositif, HOP-DPI-VA1 et HOP-PFI-VA1 sont des codes publiés par l'ANS,
MDV-LGC-VA1 reprend le nom du DSR « DSR-MDV-LGC-Va1 », les autres sont fabriqués sur le même modèle
(https://esante.gouv.fr/faq/sons-quels-sont-les-criteres-deligibilite-dun-client-la-prestation-segur-vague-1-vague-2).
Les thèmes des exigences reprennent des sections « socles » des exports d'exigences de l'ANS
(INS, DMP, MSS, PSC, ANN, DOC) et la nature EXIGENCE (« DOIT ») / PRÉCONISATION (« PEUT »)
(https://github.com/ansforge/segur-squash-plugins) ; leurs énoncés sont simplifiés pour l'exercice.

Graine fixe (``random.Random(2026)``) : deux exécutions produisent des fichiers identiques, octet
pour octet. Bibliothèque standard seulement.
"""
from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

GRAINE = 2026
DATA = Path(__file__).resolve().parent.parent / "data"
NOTE_FORMATEUR = DATA.parent / "docs" / "formateur" / "module3_donnees.md"
DATE_ARRETE = "2026-11-30"  # date à laquelle le catalogue fictif est « arrêté »

# Dispositif fictif (sauf les trois codes réels cités plus haut) → couloir, type de logiciel, vague,
# date limite FICTIVE de référencement ouvrant droit au financement.
DISPOSITIFS = {
    "HOP-DPI-VA1": ("Hôpital", "DPI", 1, "2022-09-30"),
    "HOP-PFI-VA1": ("Hôpital", "PFI", 1, "2022-09-30"),
    "MDV-LGC-VA1": ("Médecin de ville", "LGC", 1, "2022-06-15"),
    "BIO-SGL-VA1": ("Biologie médicale", "SGL", 1, "2022-06-15"),
    "IMG-RIS-VA1": ("Imagerie", "RIS", 1, "2022-12-15"),
    "OFF-LGO-VA1": ("Officine", "LGO", 1, "2022-12-15"),
    "MS-DUI-VA1": ("Social et médico-social", "DUI", 1, "2023-03-31"),
    "HOP-DPI-VA2": ("Hôpital", "DPI", 2, "2025-12-31"),
    "HOP-PFI-VA2": ("Hôpital", "PFI", 2, "2025-12-31"),
    "MDV-LGC-VA2": ("Médecin de ville", "LGC", 2, "2025-09-30"),
    "BIO-SGL-VA2": ("Biologie médicale", "SGL", 2, "2026-03-31"),
    "IMG-RIS-VA2": ("Imagerie", "RIS", 2, "2026-03-31"),
    "IMG-DRIM-VA2": ("Imagerie", "DRIMbox", 2, "2026-03-31"),
    "OFF-LGO-VA2": ("Officine", "LGO", 2, "2026-03-31"),
    "MS-DUI-VA2": ("Social et médico-social", "DUI", 2, "2026-06-30"),
}

# Éditeurs et logiciels inventés ; « Logidoc Santé » est l'éditeur du cas fil rouge.
LOGICIELS = [
    ("Logidoc Santé", "Orme DPI", "DPI"),
    ("Logidoc Santé", "Glycine DUI", "DUI"),
    ("Cormoran Systèmes", "Cormoran Hospi", "DPI"),
    ("Cormoran Systèmes", "Cormoran Passerelle", "PFI"),
    ("Tilia Médical", "Tilia Dossier", "DPI"),
    ("Aubépine Informatique", "Aubépine Cabinet", "LGC"),
    ("Aubépine Informatique", "Aubépine Mobile", "LGC"),
    ("Mistral Santé Soft", "MédiMistral", "LGC"),
    ("Hélixa", "Hélixa Labo", "SGL"),
    ("Radiane", "Radiane RIS", "RIS"),
    ("Radiane", "Radiane Partage", "DRIMbox"),
    ("Officéo", "Officéo Comptoir", "LGO"),
    ("Saule Numérique", "Saule Accompagnement", "DUI"),
    ("Cormoran Systèmes", "Cormoran Image", "RIS"),
]

STATUTS = ["référencé", "en instruction", "refusé"]


def jour(texte: str) -> date:
    return date.fromisoformat(texte)


def generer_catalogue(rng: random.Random) -> list[dict]:
    lignes = []
    numero = 0
    for editeur, logiciel, type_logiciel in LOGICIELS:
        for code, (couloir, type_dispositif, vague, limite) in DISPOSITIFS.items():
            if type_dispositif != type_logiciel:
                continue
            # Une ou deux versions candidates par dispositif ; la vague 2 n'est pas toujours visée.
            if vague == 2 and rng.random() < 0.2:
                continue
            for rang in range(1 if rng.random() < 0.7 else 2):
                numero += 1
                majeure = vague + 2 + rang
                tirage = rng.random()
                if tirage < 0.72:
                    statut = "référencé"
                elif tirage < 0.88:
                    statut = "en instruction"
                else:
                    statut = "refusé"
                date_ref = ""
                if statut == "référencé":
                    # Le plus souvent avant l'échéance ; parfois après (financement perdu).
                    decalage = rng.randint(-200, -5) if rng.random() < 0.8 else rng.randint(3, 120)
                    date_ref = (jour(limite) + timedelta(days=decalage)).isoformat()
                lignes.append({
                    "jeu": "FICTIF",
                    "id_version": f"V{numero:03d}",
                    "editeur": editeur,
                    "logiciel": logiciel,
                    "version": f"{majeure}.{rng.randint(0, 9)}",
                    "couloir": couloir,
                    "dispositif": code,
                    "vague": vague,
                    "statut": statut,
                    "date_referencement": date_ref,
                    "date_limite": limite,
                })
    # Le cas fil rouge : la version vague 1 d'Orme DPI est référencée à temps (le CHTR l'utilise),
    # sa version vague 2 est encore en instruction (c'est l'objet de l'exercice de conformité).
    for ligne in lignes:
        if ligne["logiciel"] == "Orme DPI" and ligne["dispositif"] == "HOP-DPI-VA1":
            ligne.update(statut="référencé", date_referencement="2022-07-12")
        if ligne["logiciel"] == "Orme DPI" and ligne["dispositif"] == "HOP-DPI-VA2":
            ligne.update(statut="en instruction", date_referencement="")
    return lignes


TERRITOIRES = ["Trois-Rivières", "Val d'Ormes", "Plateau-Nord", "Côte-Sud"]
LIEUX = ["Sainte-Aurore", "Belval", "Rochebrune", "Vallon-sur-Lys", "Montclair", "Aulnay-les-Prés",
         "Pierrefeu", "Val-Fleuri", "Hautecombe", "Brise-Lames", "Clairmarais", "Fontbelle",
         "Mirevent", "Roquesel", "Sablons", "Lanvallay-le-Haut", "Coudray-Neuf", "Pontaubert",
         "Valmeuse", "Vertétang", "Maisonfort", "Bois-Joli", "Champrond-sur-Ormes", "Ruisselle",
         "Haut-Chêne", "Mareval", "Grandpré-les-Ormes", "Sainte-Aube", "Beaulac", "Vieux-Moulin"]


def generer_parc(rng: random.Random, catalogue: list[dict]) -> list[dict]:
    dpi = [l for l in catalogue if l["dispositif"] in ("HOP-DPI-VA1", "HOP-DPI-VA2")]
    lignes = [{
        "jeu": "FICTIF", "finess_et": "450000039", "nom": "Centre hospitalier des Trois-Rivières",
        "territoire": "Trois-Rivières", "categorie": "centre hospitalier",
        "id_version_dpi": next(l["id_version"] for l in dpi
                               if l["logiciel"] == "Orme DPI" and l["dispositif"] == "HOP-DPI-VA1"),
    }]
    lieux = LIEUX[:]
    rng.shuffle(lieux)
    for rang, lieu in enumerate(lieux, start=1):
        territoire = TERRITOIRES[rang % len(TERRITOIRES)]
        categorie = rng.choice(["centre hospitalier", "centre hospitalier", "clinique", "hôpital de proximité"])
        de = "d'" if lieu[0] in "AEIOUÉ" else "de "  # élision : « Clinique d'Aulnay-les-Prés »
        nom = {"centre hospitalier": f"Centre hospitalier {de}{lieu}", "clinique": f"Clinique {de}{lieu}",
               "hôpital de proximité": f"Hôpital de proximité {de}{lieu}"}[categorie]
        tirage = rng.random()
        if rang in (5, 18):
            version = ""  # inventaire non renseigné
        elif tirage < 0.85:
            version = rng.choice(dpi)["id_version"]
        else:
            version = "HORS-CATALOGUE"  # version jamais présentée au référencement
        lignes.append({"jeu": "FICTIF", "finess_et": f"4500{10000 + rang * 37:05d}", "nom": nom,
                       "territoire": territoire, "categorie": categorie, "id_version_dpi": version})
    return lignes


# Exigences : (identifiant, thème, nature, énoncé simplifié, mode de preuve). Énoncés inventés,
# inspirés des thèmes du Ségur ; ce ne sont pas des citations d'un DSR réel.
EXIGENCES = [
    ("INS-01", "INS", "EXIGENCE", "Appeler le téléservice INSi pour récupérer ou vérifier l'INS", "scénario de conformité"),
    ("INS-02", "INS", "EXIGENCE", "Conserver le statut de confiance de chaque identité", "scénario de conformité"),
    ("INS-03", "INS", "EXIGENCE", "Ne transmettre le matricule INS que pour une identité qualifiée", "scénario de conformité"),
    ("INS-04", "INS", "PRÉCONISATION", "Signaler à l'utilisateur les identités provisoires anciennes", "capture d'écran"),
    ("DMP-01", "DMP", "EXIGENCE", "Alimenter le DMP avec les documents produits", "test sur l'espace de tests"),
    ("DMP-02", "DMP", "EXIGENCE", "Consulter le DMP depuis le dossier du patient", "scénario de conformité"),
    ("DMP-03", "DMP", "EXIGENCE", "Gérer le masquage d'un document aux professionnels", "scénario de conformité"),
    ("DMP-04", "DMP", "PRÉCONISATION", "Proposer l'envoi automatique des documents validés", "capture d'écran"),
    ("MSS-01", "MSS", "EXIGENCE", "Envoyer un document par messagerie sécurisée de santé", "test sur l'espace de tests"),
    ("MSS-02", "MSS", "EXIGENCE", "Intégrer dans le dossier les documents reçus par messagerie", "scénario de conformité"),
    ("MSS-03", "MSS", "EXIGENCE", "Tracer les envois sans conserver le contenu dans les traces", "scénario de conformité"),
    ("MSS-04", "MSS", "PRÉCONISATION", "Détecter les doublons de documents reçus", "capture d'écran"),
    ("PSC-01", "PSC", "EXIGENCE", "Authentifier les professionnels par Pro Santé Connect", "scénario de conformité"),
    ("PSC-02", "PSC", "EXIGENCE", "Garder les secrets du client côté serveur", "rapport de test d'intrusion"),
    ("PSC-03", "PSC", "PRÉCONISATION", "Proposer l'authentification par e-CPS", "capture d'écran"),
    ("ANN-01", "ANN", "EXIGENCE", "Rechercher un destinataire dans l'Annuaire Santé", "scénario de conformité"),
    ("ANN-02", "ANN", "EXIGENCE", "Identifier les professionnels par leur identifiant national", "scénario de conformité"),
    ("ANN-03", "ANN", "PRÉCONISATION", "Mettre à jour quotidiennement le cache de l'annuaire", "capture d'écran"),
    ("DOC-01", "DOC", "EXIGENCE", "Produire les comptes rendus au format CDA structuré", "test sur l'espace de tests"),
    ("DOC-02", "DOC", "EXIGENCE", "Joindre une version PDF lisible à chaque document structuré", "test sur l'espace de tests"),
    ("DOC-03", "DOC", "EXIGENCE", "Coder le type de document avec la nomenclature nationale", "test sur l'espace de tests"),
    ("DOC-04", "DOC", "PRÉCONISATION", "Afficher la version des nomenclatures utilisées", "capture d'écran"),
]

# Preuves d'Orme DPI : statut fixé à la main pour que chaque thème raconte quelque chose.
# Les exigences absentes du dictionnaire n'ont AUCUNE ligne de preuve (oubli de l'éditeur).
PREUVES = {
    "INS-01": "conforme", "INS-02": "conforme", "INS-03": "partielle", "INS-04": "non conforme",
    "DMP-01": "conforme", "DMP-02": "non conforme", "DMP-03": "conforme", "DMP-04": "conforme",
    "MSS-01": "conforme", "MSS-02": "partielle", "MSS-04": "non conforme",
    "PSC-01": "conforme", "PSC-02": "non conforme",
    "ANN-01": "conforme", "ANN-02": "conforme", "ANN-03": "partielle",
    "DOC-01": "conforme", "DOC-03": "conforme", "DOC-04": "non conforme",
}


def generer_exigences() -> list[dict]:
    return [{"jeu": "FICTIF", "id_exigence": i, "theme": t, "nature": n, "enonce": e, "mode_preuve": m}
            for i, t, n, e, m in EXIGENCES]


def generer_preuves(rng: random.Random) -> list[dict]:
    lignes = []
    for id_exigence, statut in PREUVES.items():
        jour_preuve = date(2026, 9, 1) + timedelta(days=rng.randint(0, 75))
        lignes.append({"jeu": "FICTIF", "logiciel": "Orme DPI", "dispositif": "HOP-DPI-VA2",
                       "id_exigence": id_exigence, "statut_preuve": statut,
                       "date_preuve": jour_preuve.isoformat()})
    rng.shuffle(lignes)  # un tableau de preuves réel n'est jamais trié
    return lignes


def ecrire_csv(nom: str, lignes: list[dict]) -> None:
    with (DATA / nom).open("w", encoding="utf-8", newline="") as fichier:
        ecrivain = csv.DictWriter(fichier, fieldnames=list(lignes[0]), lineterminator="\n")
        ecrivain.writeheader()
        ecrivain.writerows(lignes)


AVERTISSEMENT = """\
> **Données FICTIVES.** Éditeurs, logiciels, versions, établissements, dates et énoncés sont
> inventés pour le cours ; toute ressemblance avec un produit, une entreprise ou un établissement
> réels serait fortuite. La colonne `jeu` vaut `FICTIF` sur chaque ligne. Produit par
> `tools/generer_donnees_module3.py` (graine fixe 2026) pour la leçon et le devoir du module 3."""


FICHES = {
    "catalogue_segur_fictif.md": f"""\
# `catalogue_segur_fictif.csv` — catalogue FICTIF de versions candidates au référencement Ségur

{AVERTISSEMENT}

Fichier CSV UTF-8, séparateur virgule, une ligne d'en-tête ; une ligne par **version** de logiciel
présentée au référencement. Catalogue arrêté au {DATE_ARRETE} : toutes les dates limites sont passées.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `id_version` | identifiant de la version dans ce fichier (`V001`, `V002`…) |
| `editeur`, `logiciel`, `version` | éditeur, nom commercial et numéro de version (inventés) |
| `couloir` | couloir du Ségur : Hôpital, Médecin de ville, Biologie médicale, Imagerie, Officine, Social et médico-social |
| `dispositif` | code du dispositif, de la forme couloir-logiciel-vague (ex. `HOP-DPI-VA1`) |
| `vague` | 1 ou 2 |
| `statut` | `référencé`, `en instruction` ou `refusé` |
| `date_referencement` | date (AAAA-MM-JJ) à laquelle la version a été référencée ; vide si elle ne l'est pas |
| `date_limite` | date limite FICTIVE du dispositif : une version référencée après cette date, ou jamais, n'ouvre pas droit au financement |

Seuls les noms des couloirs et le schéma de nommage des dispositifs sont réels ; HOP-DPI-VA1 et
HOP-PFI-VA1 sont des codes publiés par l'ANS, MDV-LGC-VA1 reprend le nom du DSR « DSR-MDV-LGC-Va1 »,
les autres codes sont fabriqués sur le même modèle. Les dates limites ne sont pas celles du Ségur : le calendrier réel varie d'un
dispositif à l'autre (voir la leçon).

Pièges présents : des versions référencées **après** la date limite ; des versions encore en
instruction ou refusées ; des logiciels présents dans une vague et pas dans l'autre.
""",
    "parc_hospitalier_fictif.md": f"""\
# `parc_hospitalier_fictif.csv` — établissements d'une région FICTIVE et leur DPI

{AVERTISSEMENT}

Fichier CSV UTF-8, séparateur virgule, une ligne d'en-tête ; une ligne par établissement de santé
d'une région imaginaire découpée en quatre territoires (dont le territoire des Trois-Rivières du
cas fil rouge, où se trouve le CHTR). Lire `finess_et` comme du texte (`dtype=str`).

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `finess_et` | numéro FINESS d'établissement FICTIF (9 caractères) |
| `nom` | nom inventé |
| `territoire` | Trois-Rivières, Val d'Ormes, Plateau-Nord ou Côte-Sud |
| `categorie` | centre hospitalier, clinique ou hôpital de proximité |
| `id_version_dpi` | version du dossier patient informatisé installée (`id_version` du catalogue), `HORS-CATALOGUE` pour une version jamais présentée au référencement, vide si l'inventaire n'est pas renseigné |

Pièges présents : des versions installées qui ne sont pas référencées (en instruction, refusées,
ou absentes du catalogue) et des inventaires vides.
""",
    "exigences_dsr_fictif.md": f"""\
# `exigences_dsr_fictif.csv` — liste FICTIVE d'exigences sur le modèle d'un DSR

{AVERTISSEMENT}

Une petite liste d'exigences bâtie sur la **structure** des exigences de référencement publiées par
l'ANS : chaque exigence a un identifiant, une section (thème) et une nature, `EXIGENCE` (le
logiciel « DOIT » : obligatoire) ou `PRÉCONISATION` (le logiciel « PEUT » : recommandée), ainsi
qu'un mode de preuve. Les énoncés sont simplifiés et inventés pour l'exercice : ce ne sont pas
les exigences d'un DSR réel.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `id_exigence` | identifiant (`INS-01`…) |
| `theme` | INS (identité nationale de santé), DMP, MSS (messagerie sécurisée), PSC (Pro Santé Connect), ANN (annuaire), DOC (documents) |
| `nature` | `EXIGENCE` (obligatoire) ou `PRÉCONISATION` (recommandée) |
| `enonce` | énoncé simplifié |
| `mode_preuve` | forme de la preuve attendue (scénario de conformité, test sur l'espace de tests, capture d'écran, rapport de test d'intrusion) |

Source de la structure : https://github.com/ansforge/segur-squash-plugins (outillage de l'ANS).
""",
    "preuves_logidoc_fictif.md": f"""\
# `preuves_logidoc_fictif.csv` — tableau de preuves FICTIF de Logidoc Santé pour « Orme DPI »

{AVERTISSEMENT}

Le tableau de suivi que l'éditeur fictif Logidoc Santé (cas fil rouge) tient pour la candidature de
son DPI « Orme DPI » au dispositif `HOP-DPI-VA2` : une ligne par exigence pour laquelle une preuve
a été préparée. Les lignes ne sont pas triées.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `logiciel`, `dispositif` | `Orme DPI`, `HOP-DPI-VA2` |
| `id_exigence` | identifiant de l'exigence (voir `exigences_dsr_fictif.csv`) |
| `statut_preuve` | `conforme`, `partielle` ou `non conforme` |
| `date_preuve` | date de la dernière mise à jour de la preuve |

Piège présent : certaines exigences n'ont **aucune** ligne dans ce tableau (preuve jamais
préparée) ; elles ne sont évidemment pas conformes.
""",
}


def note_formateur(catalogue, parc, exigences, preuves) -> str:
    par_statut = Counter(l["statut"] for l in catalogue)
    apres = [l["id_version"] for l in catalogue if l["date_referencement"] and l["date_referencement"] > l["date_limite"]]
    versions_ref = {l["id_version"] for l in catalogue if l["statut"] == "référencé"}
    equipes = Counter(l["territoire"] for l in parc if l["id_version_dpi"] in versions_ref)
    totaux = Counter(l["territoire"] for l in parc)
    sans = Counter("vide" if not l["id_version_dpi"] else "hors catalogue" for l in parc
                   if l["id_version_dpi"] in ("", "HORS-CATALOGUE"))
    avec_preuve = {p["id_exigence"] for p in preuves}
    absentes = [e["id_exigence"] for e in exigences if e["id_exigence"] not in avec_preuve]
    lignes = [
        "# Module 3 — Données fictives du devoir : ce qu'elles contiennent (réservé au formateur)",
        "",
        "> Note réservée aux formateurs : **ne pas la distribuer aux apprenants**. Les nombres",
        "> ci-dessous sont proches des réponses des exercices notés du devoir du module 3",
        "> (`solutions/module3/module3_evaluation.ipynb`). Écrite par `tools/generer_donnees_module3.py`",
        "> (graine 2026) : ne pas la corriger à la main.",
        "",
        f"## `catalogue_segur_fictif.csv` ({len(catalogue)} versions)",
        "",
        "Statuts : " + ", ".join(f"{s} {n}" for s, n in sorted(par_statut.items())) + ".",
        f"Versions référencées après leur date limite : {len(apres)} ({', '.join(apres)}).",
        "Toutes les versions non référencées (en instruction ou refusées) ont aussi manqué l'échéance.",
        "",
        f"## `parc_hospitalier_fictif.csv` ({len(parc)} établissements)",
        "",
        "| territoire | établissements | équipés d'une version référencée |",
        "|---|---|---|",
        *(f"| {t} | {totaux[t]} | {equipes[t]} |" for t in sorted(totaux)),
        "",
        f"Versions installées hors catalogue : {sans['hors catalogue']} ; inventaires vides : {sans['vide']}",
        "(les deux comptent comme non équipés, au dénominateur).",
        "",
        "## Exigences et preuves",
        "",
        f"{len(exigences)} exigences, dont {sum(e['nature'] == 'EXIGENCE' for e in exigences)} de nature EXIGENCE ;",
        f"{len(preuves)} lignes de preuve ; exigences sans aucune ligne de preuve : {', '.join(absentes)}.",
    ]
    return "\n".join(lignes) + "\n"


def main() -> None:
    rng = random.Random(GRAINE)
    catalogue = generer_catalogue(rng)
    parc = generer_parc(rng, catalogue)
    exigences = generer_exigences()
    preuves = generer_preuves(rng)
    ecrire_csv("catalogue_segur_fictif.csv", catalogue)
    ecrire_csv("parc_hospitalier_fictif.csv", parc)
    ecrire_csv("exigences_dsr_fictif.csv", exigences)
    ecrire_csv("preuves_logidoc_fictif.csv", preuves)
    for nom, texte in FICHES.items():
        (DATA / nom).write_text(texte, encoding="utf-8")
    NOTE_FORMATEUR.write_text(note_formateur(catalogue, parc, exigences, preuves), encoding="utf-8")
    print(f"{len(catalogue)} versions, {len(parc)} établissements, {len(exigences)} exigences, "
          f"{len(preuves)} preuves écrites dans {DATA}.")


if __name__ == "__main__":
    main()
