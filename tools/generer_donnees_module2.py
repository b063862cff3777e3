"""Génère les jeux de données FICTIFS du module 2 (référentiels).

    python tools/generer_donnees_module2.py

Écrit, dans ``data/`` :

- ``identites_fictives.csv`` et ``identites_fictives.md`` : ~300 identités de patients
  inventées, avec des défauts volontaires (fautes de frappe, traits stricts manquants,
  doublons probables, NIR à clé fausse) ;
- ``identifiants_fictifs.csv`` et ``identifiants_fictifs.md`` : ~60 identifiants
  nationaux de professionnels et de structures, bien formés ou non.

Les deux fiches ``.md`` sont destinées aux apprenants : elles décrivent les SORTES de
défauts, sans jamais les compter (les comptes sont des réponses du devoir noté). Les
comptes vont dans la note réservée au formateur, ``docs/formateur/module2_donnees.md``,
que le script réécrit aussi.

Le script n'utilise que la bibliothèque standard et un générateur pseudo-aléatoire à
graine fixe (``random.Random(2026)``) : deux exécutions produisent des fichiers
identiques, octet pour octet. Il n'est pas livré avec le cours ; il contient les
implémentations de référence nécessaires pour fabriquer des données valides.

Règles appliquées (sources) :

- NIR : sexe (1) + année (2) + mois (2) + département (2, « 2A »/« 2B » pour la Corse)
  + commune (3) + numéro d'ordre (3) + clé (2) ; clé = 97 − (nombre à 13 chiffres
  modulo 97), après remplacement de 2A par 19 et de 2B par 18
  (https://github.com/assurance-maladie-digital/nir-validation, src/NirKey.php).
- IdNat_PS : « 8 » + RPPS, « 0 » + ADELI ; IdNat_Struct : « 1 » + FINESS, « 3 » + SIRET
  (https://github.com/ansforge/IG-FHIR-PDSM4DMP-EEDS, input/fsh/Model/PSIdNat.fsh et
  StructIdNat.fsh). RPPS : 11 chiffres, le dernier étant une clé de Luhn (FAQ des
  industriels de l'ANS). Longueurs ADELI (9) et SIRET (14) : usage courant, non tirées
  d'un texte de l'ANS.

Aucune personne réelle : noms et prénoms sont tirés au hasard dans des listes de noms
courants ; les numéros sont générés au hasard (toute coïncidence avec un numéro réel
serait fortuite).
"""
from __future__ import annotations

import csv
import random
import textwrap
import unicodedata
from collections import Counter
from pathlib import Path

GRAINE = 2026
DATA = Path(__file__).resolve().parent.parent / "data"
NOTE_FORMATEUR_CHEMIN = DATA.parent / "docs" / "formateur" / "module2_donnees.md"

NOMS = [
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS",
    "MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID",
    "BERTRAND", "MOREL", "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE",
    "ROUSSEAU", "VINCENT", "MULLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC",
    "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA",
    "PERRIN", "ROBIN", "CLÉMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU",
    "GAUTIER", "MASSON", "MARCHAND", "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE",
    "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD", "GIRAUD", "JOLY",
    "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD", "MARTINEZ", "GÉRARD",
]
PRENOMS_F = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine",
    "Monique", "Valérie", "Sandrine", "Sophie", "Céline", "Julie", "Aurélie", "Camille",
    "Léa", "Chloé", "Emma", "Manon", "Inès", "Jade", "Louise", "Zoé", "Anaïs", "Hélène",
    "Élodie", "Claire", "Anne", "Agnès", "Mélanie", "Lucie", "Margaux", "Noémie", "Odile",
    "Josiane", "Geneviève", "Thérèse", "Brigitte", "Pauline", "Océane",
]
PRENOMS_M = [
    "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Bernard", "Jacques",
    "Patrick", "Daniel", "Nicolas", "Christophe", "Stéphane", "Julien", "Thomas", "Lucas",
    "Hugo", "Louis", "Gabriel", "Arthur", "Théo", "Nathan", "Mathéo", "Raphaël", "Léo",
    "Jérôme", "Frédéric", "Sébastien", "Olivier", "Laurent", "Éric", "Hervé", "Gérard",
    "René", "Marcel", "François", "Antoine", "Benoît", "Cédric", "Loïc",
]
# Départements métropolitains (codes du COG) ; la Corse utilise 2A et 2B, jamais 20.
DEPARTEMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]


# --- implémentations de référence ------------------------------------------------

def cle_nir(nir13: str) -> str:
    """Clé du NIR : 97 − (nombre à 13 chiffres mod 97), Corse 2A→19, 2B→18 ; sur 2 chiffres."""
    numerique = nir13.upper().replace("2A", "19").replace("2B", "18")
    return f"{97 - int(numerique) % 97:02d}"


def luhn_ok(chiffres: str) -> bool:
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        valeur = int(caractere)
        if rang % 2 == 1:
            valeur *= 2
            if valeur > 9:
                valeur -= 9
        total += valeur
    return total % 10 == 0


def cle_luhn(debut: str) -> str:
    for chiffre in "0123456789":
        if luhn_ok(debut + chiffre):
            return chiffre
    raise AssertionError("inatteignable")


def sans_accents(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte: str) -> str:
    return " ".join(sans_accents(texte).upper().split())


# --- identités -----------------------------------------------------------------

N_BASE = 280          # personnes distinctes
N_DOUBLONS = 15       # copies exactes aux variantes de casse, d'accents ou d'espaces près
N_DOUBLONS_FAUTE = 5  # copies avec une faute de frappe (non détectables par égalité stricte)
N_FAUTES = 10         # fautes de frappe isolées dans le nom de naissance
N_TRAIT_MANQUANT = 10 # un trait strict vidé
N_CLE_FAUSSE = 15     # NIR dont la clé est fausse (environ 5 %)
N_NIR_VIDE = 6        # NIR non renseigné
N_CORSE_MIN = 12      # au moins autant de naissances en Corse
N_ETRANGER = 6        # naissances hors de France (code 99 + 3 chiffres)

TRAITS = ["nom_naissance", "prenoms_naissance", "date_naissance", "sexe", "code_lieu_naissance"]
COLONNES = ["jeu", "id_local", *TRAITS, "nir", "recupere_insi", "piece_identite_haut_niveau"]


def faute_de_frappe(rng: random.Random, mot: str) -> str:
    lettres = list(mot)
    positions = [i for i, c in enumerate(lettres) if c.isalpha()]
    i = rng.choice(positions[1:-1] or positions)
    genre = rng.choice(["inversion", "omission", "doublement", "substitution"])
    if genre == "inversion" and i + 1 < len(lettres) and lettres[i + 1].isalpha() and lettres[i] != lettres[i + 1]:
        lettres[i], lettres[i + 1] = lettres[i + 1], lettres[i]
    elif genre == "omission" and len(positions) > 3:
        del lettres[i]
    elif genre == "doublement":
        lettres.insert(i, lettres[i])
    else:
        remplacants = [c for c in "AEIOUNRST" if c != sans_accents(lettres[i]).upper()]
        lettres[i] = rng.choice(remplacants)
    resultat = "".join(lettres)
    return resultat if resultat != mot else mot + mot[-1]


def personne(rng: random.Random, departement: str | None = None, etranger: bool = False) -> dict:
    sexe = rng.choice(["F", "M"])
    prenoms = PRENOMS_F if sexe == "F" else PRENOMS_M
    liste = rng.sample(prenoms, rng.choice([1, 1, 2, 2, 2, 3]))
    annee = rng.randint(1930, 2024)
    mois = rng.randint(1, 12)
    jour = rng.randint(1, 28)
    if etranger:
        code_lieu = "99" + f"{rng.randint(100, 499):03d}"
    else:
        dep = departement or rng.choice(DEPARTEMENTS)
        code_lieu = dep + f"{rng.randint(1, 400):03d}"
    nir13 = f"{1 if sexe == 'M' else 2}{annee % 100:02d}{mois:02d}{code_lieu}{rng.randint(1, 999):03d}"
    insi = rng.random() < 0.62
    piece = rng.random() < 0.55
    return {
        "jeu": "FICTIF",
        "id_local": "",
        "nom_naissance": rng.choice(NOMS),
        "prenoms_naissance": " ".join(liste),
        "date_naissance": f"{annee:04d}-{mois:02d}-{jour:02d}",
        "sexe": sexe,
        "code_lieu_naissance": code_lieu,
        "nir": nir13 + cle_nir(nir13),
        "recupere_insi": insi,
        "piece_identite_haut_niveau": piece,
    }


def variante(rng: random.Random, texte: str) -> str:
    """Même texte, à la casse, aux accents ou aux espaces près."""
    choix = rng.choice(["casse", "accents", "espaces", "casse+accents"])
    if choix == "casse":
        resultat = texte.lower() if texte.isupper() else texte.upper()
    elif choix == "accents":
        resultat = sans_accents(texte)
    elif choix == "espaces":
        resultat = f" {texte}  "
    else:
        resultat = sans_accents(texte).title()
    return resultat if resultat != texte else texte.lower()


def generer_identites(rng: random.Random) -> tuple[list[dict], Counter]:
    bilan: Counter = Counter()
    base = [personne(rng, departement=rng.choice(["2A", "2B"])) for _ in range(N_CORSE_MIN)]
    base += [personne(rng, etranger=True) for _ in range(N_ETRANGER)]
    while len(base) < N_BASE:
        candidat = personne(rng)
        base.append(candidat)
    # Les NIR de la base doivent être distincts (une personne = un NIR).
    vus = set()
    for p in base:
        while p["nir"] in vus:
            nir13 = p["nir"][:10] + f"{rng.randint(1, 999):03d}"
            p["nir"] = nir13 + cle_nir(nir13)
        vus.add(p["nir"])

    indices = list(range(N_BASE))
    rng.shuffle(indices)
    # Rôles disjoints : sources de doublons, fautes, traits manquants, NIR vides ou faux.
    sources_doublons = indices[:N_DOUBLONS]
    sources_doublons_faute = indices[N_DOUBLONS:N_DOUBLONS + N_DOUBLONS_FAUTE]
    reste = indices[N_DOUBLONS + N_DOUBLONS_FAUTE:]
    non_insi = [i for i in reste if not base[i]["recupere_insi"]]
    fautes = non_insi[:N_FAUTES]
    manquants = non_insi[N_FAUTES:N_FAUTES + N_TRAIT_MANQUANT]
    vides = non_insi[N_FAUTES + N_TRAIT_MANQUANT:N_FAUTES + N_TRAIT_MANQUANT + N_NIR_VIDE]
    cles = non_insi[N_FAUTES + N_TRAIT_MANQUANT + N_NIR_VIDE:
                    N_FAUTES + N_TRAIT_MANQUANT + N_NIR_VIDE + N_CLE_FAUSSE]
    assert len(cles) == N_CLE_FAUSSE, "pas assez d'identités non récupérées par INSi"

    for i in fautes:
        base[i]["nom_naissance"] = faute_de_frappe(rng, base[i]["nom_naissance"])
    bilan["faute de frappe isolée dans le nom de naissance"] = len(fautes)
    for i in manquants:
        trait = rng.choice(TRAITS)
        base[i][trait] = ""
        bilan[f"trait strict manquant : {trait}"] += 1
    for i in vides:
        base[i]["nir"] = ""
    bilan["NIR non renseigné"] = len(vides)
    for i in cles:
        juste = int(base[i]["nir"][13:])
        fausse = rng.choice([k for k in range(1, 98) if k != juste])
        base[i]["nir"] = base[i]["nir"][:13] + f"{fausse:02d}"
    bilan["NIR à clé fausse"] = len(cles)

    lignes = list(base)
    for i in sources_doublons:
        copie = dict(base[i])
        copie["nom_naissance"] = variante(rng, copie["nom_naissance"])
        if rng.random() < 0.5:
            copie["prenoms_naissance"] = variante(rng, copie["prenoms_naissance"])
        copie["recupere_insi"] = rng.random() < 0.3
        copie["piece_identite_haut_niveau"] = rng.random() < 0.4
        if not copie["recupere_insi"] and rng.random() < 0.4:
            copie["nir"] = ""
            copie["_nir_efface"] = True  # repère interne, non écrit dans le CSV
        lignes.append(copie)
    bilan["doublon probable (mêmes traits stricts à la casse, aux accents ou aux espaces près)"] = N_DOUBLONS
    for i in sources_doublons_faute:
        copie = dict(base[i])
        copie["nom_naissance"] = faute_de_frappe(rng, copie["nom_naissance"])
        copie["recupere_insi"] = False
        copie["piece_identite_haut_niveau"] = rng.random() < 0.4
        lignes.append(copie)
    bilan["doublon approximatif (faute de frappe : invisible à une comparaison stricte)"] = N_DOUBLONS_FAUTE

    rng.shuffle(lignes)
    for numero, ligne in enumerate(lignes, start=1):
        ligne["id_local"] = f"PAT-{numero:04d}"
    bilan["naissances en Corse (département 2A ou 2B)"] = sum(
        1 for l in lignes if l["code_lieu_naissance"][:2] in ("2A", "2B"))
    bilan["naissances hors de France (code 99…)"] = sum(
        1 for l in lignes if l["code_lieu_naissance"].startswith("99"))
    return lignes, bilan


# --- identifiants nationaux ------------------------------------------------------

def generer_identifiants(rng: random.Random) -> tuple[list[dict], Counter]:
    bilan: Counter = Counter()
    lignes: list[tuple[str, str, str]] = []  # (porteur, identifiant, catégorie interne)

    def rpps() -> str:
        debut = "10" + "".join(rng.choice("0123456789") for _ in range(8))
        return debut + cle_luhn(debut)

    def chiffres(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    def finess() -> str:
        dep = rng.choice([d for d in DEPARTEMENTS if d.isdigit()])
        return dep + chiffres(7)

    for _ in range(14):
        lignes.append(("professionnel", "8" + rpps(), "IdNat_PS RPPS"))
    for _ in range(8):
        lignes.append(("professionnel", "0" + chiffres(9), "IdNat_PS ADELI"))
    for _ in range(12):
        lignes.append(("structure", "1" + finess(), "IdNat_Struct FINESS"))
    for _ in range(6):
        lignes.append(("structure", "3" + chiffres(14), "IdNat_Struct SIRET"))

    mal_formes = [
        ("professionnel", "8" + rpps()[:-1], "mal formé : RPPS trop court"),
        ("professionnel", "8" + rpps() + "7", "mal formé : RPPS trop long"),
        ("professionnel", rpps(), "mal formé : RPPS sans préfixe"),
        ("professionnel", "8" + rpps()[:5] + "O" + rpps()[6:], "mal formé : lettre O au lieu du chiffre 0"),
        ("professionnel", "8 " + rpps(), "mal formé : espace"),
        ("professionnel", "0" + chiffres(8), "mal formé : ADELI trop court"),
        ("professionnel", "2" + chiffres(11), "mal formé : préfixe inconnu pour un professionnel"),
        ("professionnel", "9" + chiffres(11), "mal formé : préfixe inconnu pour un professionnel"),
        ("professionnel", "", "mal formé : vide"),
        ("structure", "1" + finess()[:-1], "mal formé : FINESS trop court"),
        ("structure", "1" + finess() + chiffres(1), "mal formé : FINESS trop long"),
        ("structure", finess(), "mal formé : FINESS sans préfixe"),
        ("structure", "1" + finess()[:4] + "-" + finess()[5:], "mal formé : tiret"),
        ("structure", "3" + chiffres(13), "mal formé : SIRET trop court"),
        ("structure", "7" + chiffres(9), "mal formé : préfixe inconnu pour une structure"),
        ("structure", "9" + chiffres(14), "mal formé : préfixe inconnu pour une structure"),
        ("structure", "", "mal formé : vide"),
        ("structure", "8" + rpps(), "mal formé : identifiant de professionnel dans une colonne de structures"),
        ("structure", "3" + chiffres(15), "mal formé : SIRET trop long"),
        ("professionnel", "8" + rpps()[:-1] + "X", "mal formé : lettre à la place de la clé"),
    ]
    lignes += mal_formes
    rng.shuffle(lignes)
    sortie = []
    for numero, (porteur, identifiant, categorie) in enumerate(lignes, start=1):
        sortie.append({"jeu": "FICTIF", "ligne": numero, "porteur": porteur, "identifiant": identifiant})
        bilan[categorie.replace("mal formé : ", "mal formé — ")] += 1
    ordonne = Counter()
    for cle in sorted(bilan, key=lambda c: (c.startswith("mal formé"), c)):
        ordonne[cle] = bilan[cle]
    return sortie, ordonne


# --- écriture ----------------------------------------------------------------------

def ecrire_csv(chemin: Path, colonnes: list[str], lignes: list[dict]) -> None:
    with chemin.open("w", encoding="utf-8", newline="") as f:
        ecrivain = csv.DictWriter(f, fieldnames=colonnes, lineterminator="\n")
        ecrivain.writeheader()
        for ligne in lignes:
            ecrivain.writerow({k: ligne[k] for k in colonnes})


# Fiches destinées aux APPRENANTS : elles décrivent les sortes de défauts, sans aucun compte
# (les comptes sont des réponses du devoir noté). Seul le nombre total de lignes y figure.
MD_IDENTITES = """# `identites_fictives.csv` — identités de patients FICTIVES (module 2)

> **Données FICTIVES.** Aucune ligne ne décrit une personne réelle. Les noms et prénoms sont
> tirés au hasard dans des listes de noms courants ; les dates, lieux de naissance et numéros
> sont générés au hasard. Toute ressemblance avec une personne ou un numéro réels serait
> fortuite. La colonne `jeu` vaut `FICTIF` sur chaque ligne.

Jeu produit par `tools/generer_donnees_module2.py` (graine fixe 2026 : le relancer redonne
exactement le même fichier). Il sert aux démonstrations de la leçon du module 2 et à
l'exercice d'identitovigilance du devoir.

## Format

Fichier CSV encodé en UTF-8, séparateur virgule, une ligne d'en-tête, {n} lignes de données.
Lire les colonnes `nir` et `code_lieu_naissance` comme du texte
(`pd.read_csv(..., dtype={{"nir": str, "code_lieu_naissance": str}})`) : ce sont des codes,
pas des nombres (zéros en tête, lettres A et B pour la Corse).

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `id_local` | identifiant local de l'enregistrement (`PAT-0001`…), propre au jeu |
| `nom_naissance` | nom de naissance (trait strict) |
| `prenoms_naissance` | liste des prénoms de naissance, séparés par une espace ; le premier est le premier prénom (trait strict) |
| `date_naissance` | date de naissance `AAAA-MM-JJ` (trait strict) |
| `sexe` | `F` ou `M` (trait strict) |
| `code_lieu_naissance` | code du lieu de naissance au format du code officiel géographique : département sur 2 caractères (`2A`, `2B` pour la Corse) + commune sur 3 chiffres, ou `99` + 3 chiffres pour une naissance hors de France (trait strict). Codes bien formés mais inventés : ils ne sont pas contrôlés dans le COG |
| `nir` | NIR saisi ou reçu, 15 caractères clé comprise ; vide s'il est inconnu |
| `recupere_insi` | `True` si l'identité a été récupérée par le téléservice INSi, sinon `False` |
| `piece_identite_haut_niveau` | `True` si les traits ont été contrôlés sur un dispositif d'identification à haut niveau de confiance, sinon `False` |

Le NIR suit la structure sexe (1) + année (2) + mois (2) + département (2) + commune (3) +
numéro d'ordre (3) + clé (2) ; ses caractères 6 à 10 reprennent `code_lieu_naissance`. Les
défauts (NIR vide, clé fausse, fautes de frappe, traits manquants) ne touchent que des
identités **non** récupérées par INSi, comme une saisie manuelle ; les doublons, eux, peuvent
mêler les deux.

## Défauts introduits volontairement

Comme un vrai fichier d'identités saisi à la main, ce jeu contient des défauts, placés exprès
pour la leçon et pour le devoir. Leur nombre n'est pas indiqué : c'est à vous de les trouver.

- **Fautes de frappe** isolées dans le nom de naissance (lettre inversée, omise, doublée ou
  remplacée).
- **Traits stricts manquants** : une cellule vide dans l'une des colonnes `nom_naissance`,
  `prenoms_naissance`, `date_naissance`, `sexe` ou `code_lieu_naissance`.
- **NIR non renseigné** : cellule `nir` vide.
- **NIR à clé fausse** : les 13 premiers caractères sont cohérents, mais les 2 derniers ne sont
  pas la clé de contrôle.
- **Doublons probables** : une ligne supplémentaire reprend les cinq traits stricts d'une autre
  ligne, avec un `id_local` différent et des écarts de casse, d'accents ou d'espaces seulement.
- **Doublons approximatifs** : une ligne supplémentaire reprend une autre identité avec une faute
  de frappe dans le nom ; une comparaison stricte des traits ne la détecte pas.

Le fichier contient aussi, sans que ce soit un défaut, des naissances en Corse (département `2A`
ou `2B`) et hors de France (code `99…`). Les traits manquants sont des cellules vides.
"""

MD_IDENTIFIANTS = """# `identifiants_fictifs.csv` — identifiants nationaux FICTIFS à classer (module 2)

> **Données FICTIVES.** Les numéros sont générés au hasard : ils ne désignent aucun
> professionnel ni aucune structure réels (toute coïncidence serait fortuite). La colonne `jeu`
> vaut `FICTIF` sur chaque ligne.

Jeu produit par `tools/generer_donnees_module2.py` (graine fixe 2026). Il sert à l'exercice de
classement des identifiants nationaux du devoir du module 2.

## Format

Fichier CSV encodé en UTF-8, séparateur virgule, une ligne d'en-tête, {n} lignes de données.
Lire la colonne `identifiant` comme du texte (`dtype={{"identifiant": str}}`) : le zéro de
tête des identifiants ADELI serait perdu sinon ; une cellule vide est un identifiant vide.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `ligne` | numéro de ligne (1, 2, …) |
| `porteur` | `professionnel` (identifiant national de professionnel, IdNat_PS) ou `structure` (identifiant national de structure, IdNat_Struct) |
| `identifiant` | l'identifiant national tel qu'il a été saisi |

Types bien formés présents : IdNat_PS `8` + RPPS (11 chiffres, dernier chiffre = clé de Luhn) ;
IdNat_PS `0` + ADELI (9 chiffres) ; IdNat_Struct `1` + FINESS (9 caractères, ici tous
numériques) ; IdNat_Struct `3` + SIRET (14 chiffres). Les préfixes viennent des guides de l'ANS
(`PSIdNat`, `StructIdNat`) ; les longueurs ADELI et SIRET relèvent de l'usage courant.

## Contenu

Le fichier mêle des identifiants bien formés des quatre types ci-dessus et des identifiants
**mal formés**, saisis comme on en rencontre en pratique. Leur nombre n'est pas indiqué : c'est
l'objet de l'exercice. Les défauts présents sont de ces sortes :

- longueur fausse (identifiant trop court ou trop long) ;
- préfixe absent, ou préfixe inconnu pour ce porteur ;
- identifiant de professionnel saisi pour une structure ;
- caractère non autorisé : lettre à la place d'un chiffre (par exemple la lettre O au lieu du
  chiffre 0, ou une lettre à la place de la clé), espace, tiret ;
- identifiant vide.
"""

# Note réservée au FORMATEUR : c'est ici, et seulement ici, que vont les comptes.
NOTE_FORMATEUR = """# Module 2 — Données fictives du devoir : ce qu'elles contiennent (réservé au formateur)

> Note réservée aux formateurs : **ne pas la distribuer aux apprenants**. Les nombres ci-dessous
> sont les réponses, ou presque, des exercices notés du devoir du module 2
> (`solutions/module2/module2_evaluation.ipynb`). Les fiches destinées aux apprenants
> (`data/identites_fictives.md`, `data/identifiants_fictifs.md`) décrivent les sortes de défauts
> sans les compter.

Les deux fichiers sont produits par `tools/generer_donnees_module2.py` (graine fixe 2026 : deux
exécutions donnent des fichiers identiques). Toutes les lignes portent `jeu = FICTIF`.

Cette note est elle aussi écrite par le script, qui en recalcule les comptes à chaque exécution :
ne pas la corriger à la main. Les deux fiches `data/*.md` ne reçoivent que la description des
sortes de défauts, sans aucun compte : elles peuvent être distribuées telles quelles.

## `identites_fictives.csv` ({n_id} lignes)

{n_base} personnes distinctes, plus {n_doublons} doublons probables et {n_doublons_faute} doublons approximatifs.

| défaut introduit par le générateur | nombre de lignes |
|---|---|
{tableau_id}

Précisions utiles à la correction :

- La colonne `nir` compte **{nir_vides}** cellules vides : les {n_nir_vide} NIR non renseignés ci-dessus, plus {n_nir_efface} copies
  « doublon probable » dont le générateur a effacé le NIR ({ids_nir_efface}).
- Les fautes de frappe, traits manquants, NIR vides et clés fausses ne touchent que des identités
  **non** récupérées par INSi. Toutes les identités récupérées par INSi ont un NIR valide.
- Les doublons approximatifs et la plupart des doublons probables gardent le NIR de l'identité
  d'origine : {nir_doubles} NIR apparaissent deux fois. C'est une piste de discussion (rapprochement par le
  NIR), hors barème.

## Résultats attendus des exercices (solution de référence)

| fonction de l'exercice | résultat sur le fichier |
|---|---|
| `ajouter_statuts` : répartition des statuts | QUAL {QUAL}, RECUP {RECUP}, VALI {VALI}, PROV {PROV} |
| `nb_matricules_partageables` | {QUAL} (identités qualifiées) |
| `doublons_probables` | {n_groupes} groupes de {taille_groupes} lignes (les {n_doublons} doublons probables ; les lignes à trait manquant sont écartées, les doublons approximatifs ne sont pas détectés) |
| `nir_cle_invalide` | {n_cle_fausse} `id_local` (les {n_cle_fausse} clés fausses ; les {nir_vides} NIR vides ne comptent pas) |

Erreurs fréquentes attendues : 20 au lieu de 19/18 pour la Corse (les NIR corses valides
deviennent « invalides ») ; NIR vides comptés comme invalides ({cle_plus_vides} au lieu de {n_cle_fausse}) ; comparaison
sans normaliser les accents, la casse ou les espaces (moins de {n_groupes} groupes) ; « validée » pris pour
le statut qui autorise le partage du matricule ({VALI} au lieu de {QUAL}).

## `identifiants_fictifs.csv` ({n_ident} lignes)

| catégorie | nombre de lignes |
|---|---|
| IdNat_PS RPPS (`8` + 11 chiffres) | {RPPS} |
| IdNat_PS ADELI (`0` + 9 chiffres) | {ADELI} |
| IdNat_Struct FINESS (`1` + 9 caractères) | {FINESS} |
| IdNat_Struct SIRET (`3` + 14 chiffres) | {SIRET} |
| mal formés (total) | {invalide} |

{detail_mal_formes}

Résultat attendu de `compter_types` : `RPPS` {RPPS}, `ADELI` {ADELI}, `FINESS` {FINESS}, `SIRET` {SIRET}, `invalide` {invalide}.
"""

# Ordre d'affichage des identifiants mal formés dans la note (professionnels, puis structures).
ORDRE_MAL_FORMES = [
    "RPPS trop court", "RPPS trop long", "RPPS sans préfixe", "lettre O au lieu du chiffre 0",
    "lettre à la place de la clé", "espace", "ADELI trop court",
    "préfixe inconnu pour un professionnel", "FINESS trop court", "FINESS trop long",
    "FINESS sans préfixe", "tiret", "SIRET trop court", "SIRET trop long",
    "préfixe inconnu pour une structure",
    "identifiant de professionnel dans une colonne de structures", "vide",
]


def statut_rniv(ligne: dict) -> str:
    """Statut de confiance RNIV : INSi (oui/non) × pièce à haut niveau de confiance (oui/non)."""
    return {(False, False): "PROV", (True, False): "RECUP",
            (False, True): "VALI", (True, True): "QUAL"}[
        (bool(ligne["recupere_insi"]), bool(ligne["piece_identite_haut_niveau"]))]


def note_formateur(identites: list[dict], bilan_id: Counter,
                   identifiants: list[dict], bilan_ident: Counter) -> str:
    """Texte de la note réservée au formateur, avec tous les comptes recalculés."""
    # Tableau des défauts : traits manquants du plus fréquent au moins fréquent.
    manquants = sorted(
        ((cle, n) for cle, n in bilan_id.items() if cle.startswith("trait strict manquant")),
        key=lambda p: (-p[1], TRAITS.index(p[0].split(" : ")[1])))
    lignes_tableau = [("faute de frappe isolée dans le nom de naissance",
                       bilan_id["faute de frappe isolée dans le nom de naissance"])]
    lignes_tableau += manquants
    lignes_tableau.append(("NIR non renseigné (identité d'origine)", bilan_id["NIR non renseigné"]))
    for cle, n in bilan_id.items():
        if not cle.startswith(("faute de frappe", "trait strict manquant", "NIR non renseigné")):
            lignes_tableau.append((cle, n))
    assert sum(1 for _ in lignes_tableau) == len(bilan_id)

    # Statuts RNIV, NIR vides et doublons.
    statuts = Counter(statut_rniv(l) for l in identites)
    efface = sorted(l["id_local"] for l in identites if l.get("_nir_efface"))
    nir_vides = sum(1 for l in identites if not l["nir"])
    assert nir_vides == bilan_id["NIR non renseigné"] + len(efface)
    assert all(l["nir"] and cle_nir(l["nir"][:13]) == l["nir"][13:]
               for l in identites if l["recupere_insi"]), "identité INSi sans NIR valide"
    nir_doubles = sum(1 for n in Counter(l["nir"] for l in identites if l["nir"]).values() if n == 2)
    assert all(n <= 2 for n in Counter(l["nir"] for l in identites if l["nir"]).values())
    groupes = [n for n in Counter(tuple(normaliser(l[t]) for t in TRAITS)
                                  for l in identites if all(l[t] for t in TRAITS)).values() if n > 1]
    assert len(set(groupes)) == 1, groupes
    n_cle_fausse = bilan_id["NIR à clé fausse"]

    # Identifiants.
    types = {"RPPS": bilan_ident["IdNat_PS RPPS"], "ADELI": bilan_ident["IdNat_PS ADELI"],
             "FINESS": bilan_ident["IdNat_Struct FINESS"], "SIRET": bilan_ident["IdNat_Struct SIRET"]}
    mal = {cle.replace("mal formé — ", ""): n for cle, n in bilan_ident.items()
           if cle.startswith("mal formé")}
    assert set(mal) == set(ORDRE_MAL_FORMES), set(mal) ^ set(ORDRE_MAL_FORMES)
    invalide = sum(mal.values())
    assert sum(types.values()) + invalide == len(identifiants)
    detail = (f"Détail des {invalide} identifiants mal formés : "
              + ", ".join(f"{cle} {mal[cle]}" for cle in ORDRE_MAL_FORMES) + ".")

    return NOTE_FORMATEUR.format(
        n_id=len(identites), n_base=N_BASE, n_doublons=N_DOUBLONS,
        n_doublons_faute=N_DOUBLONS_FAUTE,
        tableau_id="\n".join(f"| {cle} | {n} |" for cle, n in lignes_tableau),
        nir_vides=nir_vides, n_nir_vide=bilan_id["NIR non renseigné"], n_nir_efface=len(efface),
        ids_nir_efface=", ".join(efface), nir_doubles=nir_doubles,
        n_groupes=len(groupes), taille_groupes=groupes[0], n_cle_fausse=n_cle_fausse,
        cle_plus_vides=n_cle_fausse + nir_vides, n_ident=len(identifiants),
        detail_mal_formes=textwrap.fill(detail, width=100, break_on_hyphens=False),
        invalide=invalide, **statuts, **types)


def main() -> None:
    rng = random.Random(GRAINE)
    identites, bilan_id = generer_identites(rng)
    identifiants, bilan_ident = generer_identifiants(rng)

    # Contrôles de cohérence du jeu (les défauts sont ceux annoncés, et seulement eux).
    faux = [l for l in identites if l["nir"] and cle_nir(l["nir"][:13]) != l["nir"][13:]]
    assert len(faux) == N_CLE_FAUSSE, len(faux)
    assert all(l["jeu"] == "FICTIF" for l in identites + identifiants)
    cles = Counter(tuple(normaliser(l[t]) for t in TRAITS) for l in identites if all(l[t] for t in TRAITS))
    assert sum(n - 1 for n in cles.values()) == N_DOUBLONS, cles.most_common(3)

    # Les fiches des apprenants ne doivent contenir aucun tableau de comptes.
    fiche_identites = MD_IDENTITES.format(n=len(identites))
    fiche_identifiants = MD_IDENTIFIANTS.format(n=len(identifiants))
    for fiche in (fiche_identites, fiche_identifiants):
        assert "nombre de lignes" not in fiche and "| défaut |" not in fiche

    ecrire_csv(DATA / "identites_fictives.csv", COLONNES, identites)
    ecrire_csv(DATA / "identifiants_fictifs.csv", ["jeu", "ligne", "porteur", "identifiant"], identifiants)
    (DATA / "identites_fictives.md").write_text(fiche_identites, encoding="utf-8")
    (DATA / "identifiants_fictifs.md").write_text(fiche_identifiants, encoding="utf-8")
    NOTE_FORMATEUR_CHEMIN.parent.mkdir(parents=True, exist_ok=True)
    NOTE_FORMATEUR_CHEMIN.write_text(
        note_formateur(identites, bilan_id, identifiants, bilan_ident), encoding="utf-8")

    print(f"identites_fictives.csv : {len(identites)} lignes (FICTIF)")
    print(f"identifiants_fictifs.csv : {len(identifiants)} lignes (FICTIF)")
    print("fiches apprenants (sans comptes) : data/identites_fictives.md, data/identifiants_fictifs.md")
    print(f"comptes (réservé au formateur) : {NOTE_FORMATEUR_CHEMIN.relative_to(NOTE_FORMATEUR_CHEMIN.parents[2])}")


if __name__ == "__main__":
    main()
