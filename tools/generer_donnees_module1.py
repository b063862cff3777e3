"""Génère les jeux de données FICTIFS du module 1 (outils et services socles).

    python tools/generer_donnees_module1.py

Écrit, dans ``data/`` :

- ``documents_chtr_fictifs.csv`` et ``documents_chtr_fictifs.md`` : le journal inventé des
  documents produits par le Centre hospitalier des Trois-Rivières (CHTR, cas fil rouge) de
  janvier à juin 2026 : type, date, INS qualifiée ou non, envoi dans Mon espace santé (DMP)
  ou non, envoi par MSSanté ou non ;
- ``jetons_psc_fictifs.json`` et ``jetons_psc_fictifs.md`` : quelques jetons d'identité
  Pro Santé Connect FICTIFS (JSON encodé en base64url, signature factice) pour l'exercice de
  décodage.

Les fiches ``.md`` sont destinées aux apprenants : elles décrivent le format sans donner les
taux ni les résultats attendus par le devoir.

Le script n'utilise que la bibliothèque standard et un générateur pseudo-aléatoire à graine fixe
(``random.Random(2026)``) : deux exécutions produisent des fichiers identiques, octet pour octet.

Règles appliquées (sources) :

- règle interne du CHTR (fictive) : un document n'est versé dans Mon espace santé (DMP) que si
  l'identité du patient est qualifiée, seul statut qui autorise à transmettre le matricule INS
  (https://www.identito-na.fr/dispositif-identification, source régionale ; module 2) ;
- RPPS : 11 chiffres, le dernier étant une clé de Luhn (FAQ des industriels de l'ANS) ;
  IdNat_PS = « 8 » + RPPS, « 0 » + ADELI (https://github.com/ansforge/IG-FHIR-PDSM4DMP-EEDS) ;
- noms de claims : ceux que l'ANS modélise pour Pro Santé Connect (``SubjectNameID``,
  ``given_name``, ``family_name``, ``preferred_username``… :
  https://github.com/prosanteconnect/psc-context-sharing-api, UserInfos.java), claims standard
  d'OpenID Connect (``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``auth_time``, ``nonce``, ``acr``)
  et niveau ``eidas1`` géré par le connecteur Keycloak de l'ANS
  (https://github.com/ansforge/keycloak-prosanteconnect). L'émetteur est celui de production
  indiqué dans ce même dépôt ; le jeton est FICTIF et sa signature n'en est pas une.

Tout est inventé : taux, volumes, personnes (celles du cas fil rouge, ``data/fil_rouge.yaml``).
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import random
from pathlib import Path

GRAINE = 2026
DATA = Path(__file__).resolve().parent.parent / "data"
MOIS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]

# type : (libellé, documents par mois, taux d'envoi MES en janvier, progression mensuelle,
#         probabilité d'un envoi MSSanté). Les types « en retard » progressent peu.
TYPES = {
    "LDL-SORTIE": ("lettre de liaison à la sortie", 70, 0.62, 0.045, 0.85),
    "CR-OPERATOIRE": ("compte rendu opératoire", 40, 0.55, 0.040, 0.60),
    "CR-IMAGERIE": ("compte rendu d'imagerie", 90, 0.30, 0.015, 0.35),
    "CR-BIOLOGIE": ("compte rendu de biologie", 110, 0.58, 0.050, 0.55),
    "ORDO-SORTIE": ("ordonnance de sortie", 60, 0.50, 0.045, 0.40),
    "CR-CONSULTATION": ("compte rendu de consultation externe", 50, 0.28, 0.020, 0.70),
}
SERVICES = {
    "LDL-SORTIE": ["Urgences", "Médecine polyvalente", "Chirurgie orthopédique", "Gériatrie"],
    "CR-OPERATOIRE": ["Chirurgie orthopédique", "Chirurgie viscérale"],
    "CR-IMAGERIE": ["Imagerie médicale"],
    "CR-BIOLOGIE": ["Laboratoire de biologie médicale"],
    "ORDO-SORTIE": ["Urgences", "Médecine polyvalente", "Chirurgie orthopédique", "Gériatrie"],
    "CR-CONSULTATION": ["Consultations externes"],
}
TAUX_INS_QUALIFIEE = [0.82, 0.85, 0.88, 0.90, 0.92, 0.93]  # progression de l'identitovigilance


def jours_du_mois(mois: str) -> int:
    annee, numero = map(int, mois.split("-"))
    suivant = dt.date(annee + numero // 12, numero % 12 + 1, 1)
    return (suivant - dt.date(annee, numero, 1)).days


def generer_documents(rng: random.Random) -> list[dict]:
    lignes = []
    for rang_mois, mois in enumerate(MOIS):
        for code, (_, volume, taux0, pente, p_mss) in TYPES.items():
            nombre = volume + rng.randint(-8, 8)
            taux_mes_si_ins = min(0.98, (taux0 + pente * rang_mois) / TAUX_INS_QUALIFIEE[rang_mois])
            for _ in range(nombre):
                jour = rng.randint(1, jours_du_mois(mois))
                ins = rng.random() < TAUX_INS_QUALIFIEE[rang_mois]
                mes = ins and rng.random() < taux_mes_si_ins
                lignes.append({
                    "jeu": "FICTIF",
                    "date_document": f"{mois}-{jour:02d}",
                    "type_document": code,
                    "service": rng.choice(SERVICES[code]),
                    "ins_qualifiee": ins,
                    "envoye_mes": mes,
                    "envoye_mssante": rng.random() < p_mss,
                })
    lignes.sort(key=lambda d: (d["date_document"], d["type_document"], d["service"]))
    for numero, ligne in enumerate(lignes, start=1):
        ligne["id_document"] = f"CHTR-DOC-{numero:05d}"
    return lignes


def b64url(donnees: bytes) -> str:
    return base64.urlsafe_b64encode(donnees).rstrip(b"=").decode("ascii")


def jeton(claims: dict) -> str:
    entete = {"alg": "RS256", "typ": "JWT", "kid": "FICTIF"}
    segments = [json.dumps(entete, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                b"signature-factice-non-verifiable"]
    return ".".join(b64url(s) for s in segments)


def luhn_ok(chiffres: str) -> bool:
    total = 0
    for position, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere) * (2 if position % 2 else 1)
        total += chiffre - 9 if chiffre > 9 else chiffre
    return total % 10 == 0


def generer_jetons() -> dict:
    emetteur = "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet"
    debut = int(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.timezone.utc).timestamp())

    def claims(sub, idnat, prenom, nom, decalage, acr="eidas1", nonce=None):
        c = {
            "iss": emetteur, "sub": sub, "aud": "orme-dpi-chtr",
            "iat": debut + decalage, "exp": debut + decalage + 300, "auth_time": debut + decalage - 5,
            "nonce": nonce or f"n-{sub[:8]}", "SubjectNameID": idnat, "preferred_username": idnat,
            "given_name": prenom, "family_name": nom,
        }
        if acr is not None:
            c["acr"] = acr
        return c

    # Cas fil rouge : Dr Vasseur (RPPS 10002487618), Dr Bertin (10005176341), Agnès Lemaire (10006022866).
    assert luhn_ok("10002487618") and luhn_ok("10005176341") and luhn_ok("10006022866") and not luhn_ok("10009999991")
    return {
        "jeu": "FICTIF",
        "maintenant": debut + 120,
        "jetons": {
            "vasseur": jeton(claims("3f6c1d2e-0a4b-4c5d-9e8f-102487618aaa", "810002487618", "Claire", "VASSEUR", 0)),
            "bertin": jeton(claims("7b2e4f10-5c6d-4e7f-8a9b-105176341bbb", "810005176341", "Karim", "BERTIN", 60)),
            "cle_fausse": jeton(claims("0c9d8e7f-6a5b-4c3d-2e1f-109999991ccc", "810009999991", "Paul", "ESSAI", 30)),
            "adeli": jeton(claims("5a4b3c2d-1e0f-4a9b-8c7d-045123456ddd", "0451234567", "Lucie", "ESSAI", 45)),
            "sans_acr": jeton(claims("9e8d7c6b-5a4f-4e3d-2c1b-100000000eee", "810002487618", "Claire", "VASSEUR",
                                     90, acr=None)),
            "lemaire": jeton(claims("c4d5e6f7-a8b9-4cad-bebf-106022866ggg", "810006022866", "Agnès", "LEMAIRE", 75,
                                    nonce="n-c4d5e6f7~~~?")),
            "expire": jeton(claims("1a2b3c4d-5e6f-4a7b-8c9d-105176341fff", "810005176341", "Karim", "BERTIN", -900)),
        },
    }


NOTICE_DOCUMENTS = """\
# `documents_chtr_fictifs.csv` — journal FICTIF des documents produits par le CHTR (module 1)

> **Données FICTIVES.** Le Centre hospitalier des Trois-Rivières (CHTR) est l'hôpital inventé du
> cas fil rouge (`data/fil_rouge.yaml`). Ce journal ne décrit aucun établissement, patient ni
> document réels ; volumes et taux sont tirés au hasard. La colonne `jeu` vaut `FICTIF` sur chaque
> ligne.

Jeu produit par `tools/generer_donnees_module1.py` (graine fixe 2026 : le relancer redonne
exactement le même fichier). Il sert à la leçon du module 1 et au premier exercice de code du
devoir noté.

## Format

Fichier CSV encodé en UTF-8, séparateur virgule, une ligne d'en-tête, un document par ligne,
de janvier à juin 2026.

| colonne | contenu |
|---|---|
| `jeu` | toujours `FICTIF` |
| `id_document` | identifiant du document dans le journal (`CHTR-DOC-00001`…), propre au jeu |
| `date_document` | date de production du document, `AAAA-MM-JJ` |
| `type_document` | code du type de document (voir ci-dessous) |
| `service` | service producteur |
| `ins_qualifiee` | `True` si l'identité du patient était **qualifiée** au sens du RNIV quand le document a été produit |
| `envoye_mes` | `True` si le document a été versé dans le dossier médical (DMP) de Mon espace santé du patient |
| `envoye_mssante` | `True` si le document a été adressé par messagerie sécurisée de santé (MSSanté) à au moins un professionnel |

Codes de `type_document` (catégories internes au CHTR fictif, pas une nomenclature nationale) :

| code | document |
|---|---|
{types}

## Règle de gestion appliquée

Comme le demande l'identitovigilance (module 2), le CHTR fictif ne verse un document dans Mon
espace santé que si l'identité du patient est qualifiée : une ligne avec `envoye_mes = True` a
toujours `ins_qualifiee = True`. L'envoi par MSSanté, lui, ne dépend pas de ce statut dans ce jeu.
"""

NOTICE_JETONS = """\
# `jetons_psc_fictifs.json` — jetons Pro Santé Connect FICTIFS (module 1)

> **Données FICTIVES.** Ces jetons n'ont été émis par aucun service réel : leur « signature » est
> une simple chaîne de caractères, impossible à vérifier. Ils servent seulement à apprendre à lire
> les claims d'un jeton d'identité. Les professionnels sont ceux, inventés, du cas fil rouge
> (`data/fil_rouge.yaml`) ou des personnes d'essai. La clé `jeu` vaut `FICTIF`.

Jeu produit par `tools/generer_donnees_module1.py` (sans hasard : le relancer redonne le même
fichier).

## Format

Un objet JSON :

| clé | contenu |
|---|---|
| `jeu` | `FICTIF` |
| `maintenant` | l'instant de référence de l'exercice, en secondes depuis le 1er janvier 1970 (UTC) |
| `jetons` | un dictionnaire nom → jeton |

Chaque jeton est une chaîne `entête.charge.signature` : trois segments séparés par des points,
chacun encodé en **base64url sans remplissage** (RFC 7515 : alphabet `-` et `_` au lieu de `+` et
`/`, caractères `=` finaux retirés). L'entête et la charge sont des objets JSON en UTF-8.

La charge (les *claims*) réunit, pour l'exercice, des claims standard d'OpenID Connect (`iss`,
`sub`, `aud`, `iat`, `exp`, `auth_time`, `nonce`, `acr`) et des claims que l'ANS documente pour
Pro Santé Connect (`SubjectNameID`, `preferred_username`, `given_name`, `family_name`). Un vrai
jeton peut en contenir d'autres : consultez la documentation technique de Pro Santé Connect avant
tout développement.

- `SubjectNameID` porte ici l'identifiant national du professionnel (IdNat_PS) : « 8 » suivi du
  numéro RPPS à 11 chiffres, ou « 0 » suivi du numéro ADELI ;
- `acr` porte le niveau d'authentification ;
- `exp` et `iat` sont en secondes depuis le 1er janvier 1970 (UTC).
"""


def ecrire_csv(chemin: Path, colonnes: list[str], lignes: list[dict]) -> None:
    with chemin.open("w", encoding="utf-8", newline="") as f:
        ecrivain = csv.DictWriter(f, fieldnames=colonnes, lineterminator="\n")
        ecrivain.writeheader()
        for ligne in lignes:
            ecrivain.writerow({k: ligne[k] for k in colonnes})


def main() -> None:
    rng = random.Random(GRAINE)
    documents = generer_documents(rng)
    colonnes = ["jeu", "id_document", "date_document", "type_document", "service",
                "ins_qualifiee", "envoye_mes", "envoye_mssante"]
    ecrire_csv(DATA / "documents_chtr_fictifs.csv", colonnes, documents)
    types = "\n".join(f"| `{code}` | {libelle} |" for code, (libelle, *_) in TYPES.items())
    (DATA / "documents_chtr_fictifs.md").write_text(NOTICE_DOCUMENTS.format(types=types), encoding="utf-8")
    (DATA / "jetons_psc_fictifs.json").write_text(
        json.dumps(generer_jetons(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (DATA / "jetons_psc_fictifs.md").write_text(NOTICE_JETONS, encoding="utf-8")
    print(f"{len(documents)} documents fictifs écrits ; jetons fictifs écrits.")


if __name__ == "__main__":
    main()
