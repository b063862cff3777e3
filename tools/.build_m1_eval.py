"""Authoring helper (not shipped): builds solutions/module1/module1_evaluation.ipynb.

Hidden-test expected values are computed by running the reference solution, so the
literals written into the hidden asserts always agree with it.
"""
import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.chdir(REPO)

cells = []


def meta(grade_id, grade=False, solution=False, locked=True, points=None):
    m = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
         "solution": solution, "task": False}
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def md(grade_id, text, **kw):
    cells.append(nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=meta(grade_id, **kw)))


def code(grade_id, text, **kw):
    cells.append(nbformat.v4.new_code_cell(text.strip("\n"), metadata=meta(grade_id, **kw)))


# ---------------------------------------------------------------- quiz keys
QUIZ = [
    ("m1-eval-01", "b", 1,
     "La doctrine 2025 fait du DMP l'interface par laquelle les professionnels versent et consultent les documents "
     "des profils Mon espace santé : il n'a pas été remplacé, il est devenu la brique « dossier médical » de l'espace. "
     "Retirer le connecteur DMP priverait le CHTR de l'alimentation et de la consultation. La messagerie est une autre "
     "fonction de Mon espace santé, qui ne remplace pas le dossier."),
    ("m1-eval-02", True, 1,
     "Le décret n° 2021-1048 du 4 août 2021, pris en application de la loi du 24 juillet 2019, organise l'espace "
     "numérique de santé, lancé sous le nom de Mon espace santé ; le dossier médical partagé en est l'une des "
     "composantes."),
    ("m1-eval-03", {"p1": "s3", "p2": "s5", "p3": "s1", "p4": "s6", "p5": "s4", "p6": "s2"}, 3,
     "Consulter les documents versés par d'autres : le DMP, dans Mon espace santé. Adresser la lettre de liaison à un "
     "confrère : MSSanté, entre professionnels. Le QR code de l'ordonnance renvoie à l'ordonnance numérique. Partager un "
     "plan de soins avec le DAC : un service numérique d'appui à la coordination (e-parcours). Se connecter avec "
     "l'application de son téléphone : la e-CPS, via Pro Santé Connect. Écrire au patient : la messagerie de Mon espace "
     "santé, où seul le professionnel ouvre la conversation. L'appli carte Vitale identifie l'assuré, pas un "
     "professionnel, et un courriel grand public n'est pas un canal sécurisé."),
    ("m1-eval-04", ["e1", "e2", "e3", "e4", "e5"], 2,
     "Le scénario du référentiel d'exigences minimales (Ségur, vague 2) commence par la recherche et la qualification "
     "de l'INS à partir de l'appli carte Vitale, puis la production de l'ordonnance, son envoi au service de "
     "l'ordonnance numérique, l'obtention du QR code, et enfin l'envoi dans le DMP (puis par MSSanté). Le QR code ne "
     "peut exister qu'une fois l'ordonnance enregistrée par le service, et l'identité doit être qualifiée avant tout "
     "partage."),
    ("m1-eval-05", "b", 1,
     "La FAQ MSSanté de l'ANS le rappelle : l'usage d'une messagerie de l'espace de confiance n'est pas imposé en "
     "soi, mais la sécurisation des échanges de données de santé l'est (articles L. 1110-4 et L. 1111-8 du code de la "
     "santé publique). L'accord du patient ne rend pas sûre une messagerie grand public, et aucune messagerie unique "
     "n'est imposée : plusieurs opérateurs coexistent dans l'espace de confiance."),
    ("m1-eval-06", True, 1,
     "Seul le professionnel peut ouvrir un échange dans la messagerie de Mon espace santé : l'usager peut répondre, "
     "mais pas écrire le premier, et le professionnel peut couper les réponses (message dont l'objet est « [FIN] »)."),
    ("m1-eval-07", "b", 1,
     "Une boîte applicative est rattachée à un logiciel qui envoie ou reçoit sans intervention humaine : c'est le cas "
     "d'un envoi automatique par le DPI. La boîte personnelle engage un professionnel nommé, la boîte du patient est "
     "un destinataire et non un expéditeur, et une adresse grand public n'appartient pas à l'espace de confiance."),
    ("m1-eval-08", ["a", "b", "c"], 2,
     "L'ordonnance numérique porte un QR code associé à un numéro unique de prescription ; les données sont "
     "enregistrées dans une base hébergée par l'Assurance maladie, où le pharmacien les retrouve en scannant le code. "
     "Le prescripteur reste identifié, et la prescription n'est pas diffusée à toutes les pharmacies : le patient "
     "choisit la sienne."),
    ("m1-eval-09", "a", 1,
     "Les services numériques de coordination du programme e-parcours sont destinés aux dispositifs d'appui à la "
     "coordination, aux CPTS et à d'autres organisations coordonnées de professionnels. Le programme ne s'adresse ni aux patients à la "
     "place de Mon espace santé, ni aux seuls éditeurs ou pharmacies."),
    ("m1-eval-10", ["a", "b", "c"], 2,
     "Bâti sur OpenID Connect, surcouche d'identification d'OAuth 2.0, Pro Santé Connect reçoit du service raccordé la "
     "charge d'authentifier le professionnel, qui utilise sa CPS ou sa e-CPS. "
     "Il n'héberge aucun dossier médical, "
     "et il n'est pas destiné aux patients (pour eux : l'appli carte Vitale, notamment)."),
    ("m1-eval-11", True, 1,
     "L'arrêté du 4 avril 2022 pose deux conditions : être enregistré dans le répertoire sectoriel de référence des "
     "personnes physiques et détenir un terminal compatible. La e-CPS est mise à disposition gratuitement par l'ANS."),
    ("m1-eval-12", "a", 1,
     "La carte physique reste valable : l'application carte Vitale, développée par le GIE SESAM-Vitale, la complète. "
     "Elle s'adresse aux assurés ; la e-CPS est l'outil des professionnels."),
]

# ---------------------------------------------------------------- exercise sources
OUTILS = r'''
# Cellule fournie : ne pas modifier.
import base64
import json
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from course.paths import data_file

# Un avertissement affiché dans une cellule de vérification la ferait compter comme échouée :
# les avertissements (de pandas notamment) sont donc masqués dans ce devoir.
warnings.simplefilter("ignore")


def charger_journal():
    """Le journal FICTIF des documents produits par le CHTR (janvier à juin 2026)."""
    return pd.read_csv(data_file("documents_chtr_fictifs.csv"))


_jetons = json.loads(data_file("jetons_psc_fictifs.json").read_text(encoding="utf-8"))
JETONS = _jetons["jetons"]          # nom -> jeton (chaîne « entête.charge.signature »)
MAINTENANT = _jetons["maintenant"]  # instant de référence, en secondes depuis 1970 (UTC)

journal = charger_journal()
journal.head()
'''

SOL_1 = r'''
### BEGIN SOLUTION
journal["mois"] = journal["date_document"].str[:7]

taux_par_type = (
    journal.groupby("type_document")
    .agg(nb_documents=("id_document", "count"),
         taux_mes=("envoye_mes", "mean"),
         taux_mssante=("envoye_mssante", "mean"),
         taux_ins_qualifiee=("ins_qualifiee", "mean"))
    .sort_index()
)
### END SOLUTION
taux_par_type
'''

SOL_2 = r'''
### BEGIN SOLUTION
taux_mensuel_mes = journal.pivot_table(index="mois", columns="type_document", values="envoye_mes",
                                       aggfunc="mean").sort_index().sort_index(axis=1)

derniers = journal[journal["mois"].isin(["2026-04", "2026-05", "2026-06"])]
taux_recent = derniers.groupby("type_document")["envoye_mes"].mean()
types_en_retard = sorted(taux_recent[taux_recent < 0.60].index)

non_envoyes = journal[~journal["envoye_mes"]]
part_non_envoyes_sans_ins = float((~non_envoyes["ins_qualifiee"]).mean())
### END SOLUTION
print("Types en retard :", types_en_retard)
print("Part des documents non envoyés dont l'INS n'était pas qualifiée :", round(part_non_envoyes_sans_ins, 3))
taux_mensuel_mes
'''

SOL_3 = r'''
fig, ax = plt.subplots(figsize=(9, 4))
### BEGIN SOLUTION
taux_mensuel_mes.plot(ax=ax, marker="o")
ax.axhline(0.60, color="grey", linestyle="--")
ax.set_title("CHTR (fictif) : part des documents versés dans Mon espace santé, par type et par mois")
ax.set_xlabel("mois")
ax.set_ylabel("part des documents versés")
### END SOLUTION
plt.show()
'''

SOL_4 = r'''
### BEGIN SOLUTION
def decoder_segment(segment):
    """Décode un segment base64url (sans remplissage) contenant un objet JSON en UTF-8."""
    brut = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return json.loads(brut.decode("utf-8"))


def lire_claims(jeton):
    """Les claims (la charge) d'un jeton « entête.charge.signature », ou None s'il est mal formé."""
    if not isinstance(jeton, str):
        return None
    segments = jeton.split(".")
    if len(segments) != 3:
        return None
    return decoder_segment(segments[1])


def luhn_valide(numero):
    """True si numero est une chaîne de chiffres dont le dernier est la clé de Luhn."""
    if not isinstance(numero, str) or not numero.isascii() or not numero.isdigit():
        return False
    total = 0
    for position, caractere in enumerate(reversed(numero)):
        chiffre = int(caractere) * (2 if position % 2 else 1)
        total += chiffre - 9 if chiffre > 9 else chiffre
    return total % 10 == 0


def rpps_du_jeton(claims):
    """Le numéro RPPS (11 chiffres) porté par SubjectNameID, ou None."""
    identifiant = claims.get("SubjectNameID")
    if not isinstance(identifiant, str) or len(identifiant) != 12 or identifiant[0] != "8":
        return None
    rpps = identifiant[1:]
    return rpps if luhn_valide(rpps) else None


def niveau_authentification(claims):
    """La valeur du claim acr, ou None s'il est absent."""
    return claims.get("acr")


def jeton_expire(claims, maintenant):
    """True si le jeton n'a pas de date d'expiration ou si elle est atteinte."""
    exp = claims.get("exp")
    return not isinstance(exp, (int, float)) or exp <= maintenant
### END SOLUTION
'''


def run_reference():
    ns = {}
    strip = lambda s: "\n".join(l for l in s.splitlines() if "### " not in l)  # noqa: E731
    for src in (OUTILS, SOL_1, SOL_2, SOL_3, SOL_4):
        exec(strip(src).replace("plt.show()", ""), ns)
    return ns


REF = run_reference()
TOKENS = REF["JETONS"]


def ev(expr):
    return eval(expr, REF)


def hidden(pairs):
    """Hidden asserts ``assert expr == <value computed on the reference>, message``."""
    lines = ["### BEGIN HIDDEN TESTS"]
    for expr, message in pairs:
        value = ev(expr)
        lines.append(f"assert {expr} == {value!r}, \\\n    {message!r}")
    lines.append("### END HIDDEN TESTS")
    return "\n".join(lines)


def tok(name):
    return repr(TOKENS[name])


# ---------------------------------------------------------------- notebook
md("consignes", """
# Module 1 — Devoir noté : outils et services socles

*Édition de référence : doctrine du numérique en santé 2025 (doctrine 2026 en concertation publique ;
les services cités ont leur propre calendrier, daté dans la leçon). Contenu à jour en novembre 2026.
Durée estimée : 40 minutes (quiz ≈ 10 min, exercices ≈ 25 min, question ouverte ≈ 5 à 10 min).*

Ce devoir compte trois parties :

| partie | contenu | points | correction |
|---|---|---|---|
| 1 | quiz de 12 questions, dont le parcours de Mme Marchal | 17 | automatique |
| 2 | deux exercices de code : journal des documents du CHTR avec pandas (5 pts), jeton Pro Santé Connect (4 pts) | 9 | automatique |
| 3 | question ouverte | 4 | par votre formateur |
| | **total** | **30** | |

**Mode d'emploi**

1. Exécutez les cellules dans l'ordre (menu *Exécution → Exécuter toutes les cellules*).
2. Répondez au quiz : chaque réponse est enregistrée aussitôt dans le fichier `reponses_quiz.json`,
   à côté de ce notebook. Si vous fermez le notebook ou redémarrez le noyau, vos réponses
   réapparaissent en réexécutant la cellule du quiz. Ne supprimez pas ce fichier.
3. Pour chaque exercice, remplacez `# VOTRE CODE ICI` et `raise NotImplementedError()` par votre
   code, exécutez la cellule, puis la cellule de vérification qui la suit. La bibliothèque standard,
   pandas et matplotlib suffisent.
4. Ne modifiez pas les cellules « Notation », « Vérification » et « Cellule fournie » : elles sont
   restaurées et exécutées à la correction.
5. Enregistrez le notebook, puis soumettez le devoir (onglet *Assignments* ou selon les consignes
   de votre formateur). Le fichier de réponses part avec le notebook.

Le cas (Mme Marchal, le CHTR, la MSP des Tilleuls…) et les fichiers utilisés sont **FICTIFS** :
aucune ligne ne décrit une personne, un professionnel, un document ou une structure réels, et les
jetons n'ont été émis par aucun service réel. Vous avez droit à vos notes et au module 1.
""")
md("partie-1-titre", "## Partie 1 — Quiz")
code("quiz-affichage", """
from course import evaluation

quiz = evaluation("m1-evaluation")
quiz
""")
md("notation-quiz-titre", """
### Notation du quiz

Les cellules ci-dessous calculent vos points à partir de `reponses_quiz.json` lors de la correction.
Elles semblent vides : c'est normal. Ne les modifiez pas et ne les supprimez pas.
""")
for number, (qid, expected, points, explanation) in enumerate(QUIZ, start=1):
    plural = "s" if points > 1 else ""
    code(qid, f'''# Notation de la question {number} ({points} point{plural}) : ne pas modifier.
### BEGIN HIDDEN TESTS
from course.grading import grade_question

grade_question(
    "m1-evaluation", {qid!r},
    expected={expected!r},
    points={points},
    explanation={explanation!r},
)
### END HIDDEN TESTS''', grade=True, points=points)

md("partie-2-titre", """
## Partie 2 — Exercices de code (9 points)

La cellule suivante prépare les outils communs aux deux exercices : exécutez-la sans la modifier.
Elle charge les bibliothèques et :

- lit dans `journal` le fichier `documents_chtr_fictifs.csv` : le journal **FICTIF** des documents
  produits par le Centre hospitalier des Trois-Rivières (CHTR) de janvier à juin 2026, un document
  par ligne (colonnes `jeu`, `id_document`, `date_document` au format `AAAA-MM-JJ`,
  `type_document`, `service`, et trois colonnes booléennes : `ins_qualifiee`, `envoye_mes`,
  `envoye_mssante`) ;
- lit dans `JETONS` (un dictionnaire nom → jeton) les jetons Pro Santé Connect **FICTIFS** de
  `jetons_psc_fictifs.json`, et dans `MAINTENANT` l'instant de référence de l'exercice 2.

La description des colonnes et des jetons figure dans `data/documents_chtr_fictifs.md` et
`data/jetons_psc_fictifs.md`.
""")
code("outils-fournis", OUTILS)

md("exercice-1-consignes", """
### Exercice 1 — L'alimentation de Mon espace santé par le CHTR (5 points)

La direction du numérique du CHTR (fictif) suit chaque mois la part des documents versés dans Mon
espace santé (DMP) et veut savoir quels types de documents sont en retard. Règle rappelée dans la
leçon : un document n'est versé que si l'identité du patient est **qualifiée**.

**Tâche 1 (2 points).** Dans la cellule suivante :

1. ajoutez à `journal` une colonne `mois` : le mois de `date_document`, sous forme de **texte**
   `AAAA-MM` (par exemple `2026-03`) ;
2. construisez `taux_par_type`, un DataFrame dont l'**index** est `type_document` (trié par ordre
   alphabétique) et dont les **colonnes** sont, dans cet ordre : `nb_documents` (nombre de
   documents, entier), `taux_mes`, `taux_mssante`, `taux_ins_qualifiee` (part des documents, entre 0
   et 1, de ce type qui ont été versés dans Mon espace santé, envoyés par MSSanté, produits avec une
   INS qualifiée). Ne les arrondissez pas : la vérification arrondit à 3 décimales.

**Tâche 2 (2 points).** Dans la cellule suivante :

1. construisez `taux_mensuel_mes`, un DataFrame dont l'index est `mois` (trié), les colonnes les
   types de documents (triés par ordre alphabétique) et les valeurs la part des documents du mois et
   du type versés dans Mon espace santé ;
2. construisez `types_en_retard` : la **liste triée** des types dont la part versée dans Mon espace
   santé, calculée sur l'ensemble des documents des **trois derniers mois** du journal (`2026-04`,
   `2026-05` et `2026-06` réunis), est **strictement inférieure à 0,60** (objectif interne, fictif, du
   CHTR) ;
3. calculez `part_non_envoyes_sans_ins` : parmi les documents **non** versés dans Mon espace santé,
   la part (un `float` entre 0 et 1) de ceux dont l'INS n'était pas qualifiée.

**Tâche 3 (1 point).** Tracez sur `ax` une courbe par type de document montrant l'évolution de
`taux_mensuel_mes` (par exemple `taux_mensuel_mes.plot(ax=ax)`), chaque courbe portant comme
étiquette le code du type, et donnez au graphique un titre et un libellé d'axe des ordonnées.

Les cellules de vérification affichent un message en français si quelque chose ne va pas ;
d'autres vérifications, cachées, s'ajoutent à la correction : elles contrôlent les valeurs
(arrondies à 3 décimales), l'ordre des lignes et des colonnes, et les courbes tracées.
""")
code("exercice-1-tache-1", SOL_1, solution=True, locked=False)
code("test-taux-par-type", f'''
# Vérification de la tâche 1 (2 points)
assert "mois" in journal.columns, "Ajoutez à journal une colonne « mois »."
assert isinstance(journal["mois"].iloc[0], str) and len(journal["mois"].iloc[0]) == 7, \\
    "La colonne mois doit contenir du texte de la forme AAAA-MM (7 caractères)."
assert isinstance(taux_par_type, pd.DataFrame), "taux_par_type doit être un DataFrame."
assert list(taux_par_type.columns) == ["nb_documents", "taux_mes", "taux_mssante", "taux_ins_qualifiee"], \\
    "Colonnes attendues, dans cet ordre : nb_documents, taux_mes, taux_mssante, taux_ins_qualifiee."
assert taux_par_type["taux_mes"].between(0, 1).all(), "Les taux sont des parts entre 0 et 1 (pas des pourcentages)."
print("Vérifications visibles de la tâche 1 réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    ('sorted(journal["mois"].unique().tolist())',
     "Les mois de la colonne mois ne sont pas les bons : prenez les 7 premiers caractères de date_document."),
    ("list(taux_par_type.index)",
     "L'index de taux_par_type doit contenir chaque type de document une fois, trié par ordre alphabétique."),
    ('[int(n) for n in taux_par_type["nb_documents"]]',
     "Le nombre de documents par type est faux : comptez toutes les lignes de chaque type."),
    ('[round(float(t), 3) for t in taux_par_type["taux_mes"]]',
     "taux_mes est faux : c'est la part des documents du type dont envoye_mes vaut True."),
    ('[round(float(t), 3) for t in taux_par_type["taux_mssante"]]',
     "taux_mssante est faux : c'est la part des documents du type dont envoye_mssante vaut True."),
    ('[round(float(t), 3) for t in taux_par_type["taux_ins_qualifiee"]]',
     "taux_ins_qualifiee est faux : c'est la part des documents du type dont ins_qualifiee vaut True."),
])}
''', grade=True, points=2)
code("exercice-1-tache-2", SOL_2, solution=True, locked=False)
code("test-retards", f'''
# Vérification de la tâche 2 (2 points)
assert isinstance(taux_mensuel_mes, pd.DataFrame), "taux_mensuel_mes doit être un DataFrame."
assert taux_mensuel_mes.shape == (journal["mois"].nunique(), journal["type_document"].nunique()), \\
    "taux_mensuel_mes doit avoir une ligne par mois et une colonne par type de document."
assert isinstance(types_en_retard, list), "types_en_retard doit être une liste (de codes de types)."
assert isinstance(part_non_envoyes_sans_ins, float) and 0 <= part_non_envoyes_sans_ins <= 1, \\
    "part_non_envoyes_sans_ins doit être un float entre 0 et 1 (utilisez float(...))."
print("Vérifications visibles de la tâche 2 réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    ("[str(m) for m in taux_mensuel_mes.index]", "L'index de taux_mensuel_mes doit être la liste triée des mois."),
    ("[str(c) for c in taux_mensuel_mes.columns]",
     "Les colonnes de taux_mensuel_mes doivent être les types de documents, triés par ordre alphabétique."),
    ("[[round(float(v), 3) for v in ligne] for ligne in taux_mensuel_mes.values]",
     "Les parts mensuelles sont fausses : pour chaque mois et chaque type, moyenne de envoye_mes."),
    ("sorted(types_en_retard)",
     "La liste des types en retard est fausse : calculez la part sur les trois derniers mois réunis, "
     "et gardez les types strictement sous 0,60."),
    ("round(float(part_non_envoyes_sans_ins), 3)",
     "part_non_envoyes_sans_ins est fausse : ne gardez que les documents non versés, puis la part de ceux dont "
     "ins_qualifiee vaut False."),
])}
''', grade=True, points=2)
code("exercice-1-tache-3", SOL_3, solution=True, locked=False)
code("test-graphique", f'''
# Vérification de la tâche 3 (1 point)
assert isinstance(ax, matplotlib.axes.Axes), "ax doit rester l'axe créé par plt.subplots : tracez dessus."
assert len(ax.get_lines()) >= 1, "Aucune courbe n'est tracée sur ax."
assert ax.get_title().strip(), "Donnez un titre au graphique (ax.set_title)."
print("Vérifications visibles de la tâche 3 réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    ('sorted(l.get_label() for l in ax.get_lines() if not l.get_label().startswith("_"))',
     "Il faut une courbe étiquetée par type de document (le code du type comme étiquette), et pas d'autre."),
    ('{l.get_label(): [round(float(v), 3) for v in l.get_ydata()] for l in ax.get_lines() '
     'if not l.get_label().startswith("_")}',
     "Les valeurs des courbes ne correspondent pas à taux_mensuel_mes (une valeur par mois, dans l'ordre des mois)."),
    ("bool(ax.get_ylabel().strip())", "Donnez un libellé à l'axe des ordonnées (ax.set_ylabel)."),
])}
''', grade=True, points=1)

md("exercice-2-consignes", """
### Exercice 2 — Lire un jeton Pro Santé Connect (4 points)

Quand un professionnel se connecte via Pro Santé Connect (PSC), le service reçoit des jetons au
format JWT : trois segments `entête.charge.signature` séparés par des points, chacun encodé en
**base64url sans remplissage** (alphabet `-` et `_` au lieu de `+` et `/`, caractères `=` finaux
retirés : rajoutez-en autant qu'il faut pour que la longueur soit un multiple de 4 avant de décoder).
L'entête et la charge sont des objets JSON en UTF-8 ; la charge contient les *claims*.

Les jetons de `JETONS` sont **FICTIFS** : leur signature est une chaîne sans valeur. Ici on se
contente de **lire** les claims ; la question ouverte porte sur ce qu'il faudrait vérifier avant de
leur faire confiance.

Dans ces jetons (voir `data/jetons_psc_fictifs.md`) : `SubjectNameID` porte l'identifiant national
du professionnel, « 8 » suivi de son **RPPS** à 11 chiffres (ou « 0 » suivi d'un numéro ADELI) ; le
dernier chiffre du RPPS est une **clé de Luhn** ; `acr` porte le niveau d'authentification ; `exp`
est l'instant d'expiration en secondes depuis 1970.

Écrivez dans la cellule suivante :

1. `decoder_segment(segment)` → l'objet JSON (un `dict`) contenu dans un segment base64url ;
   `lire_claims(jeton)` → le `dict` des claims (le 2e segment), ou `None` si `jeton` n'est pas une
   chaîne formée d'exactement trois segments séparés par des points (1 point) ;
2. `luhn_valide(numero)` → `True` si `numero` est une chaîne non vide de chiffres dont le dernier est
   la clé de Luhn des précédents, `False` dans tous les autres cas (autre type, caractère non
   numérique, clé fausse), **sans jamais lever d'erreur** ; `rpps_du_jeton(claims)` → le RPPS (chaîne
   de 11 chiffres) si `SubjectNameID` vaut « 8 » suivi de 11 chiffres dont la clé de Luhn est juste,
   `None` sinon (claim absent, identifiant ADELI, clé fausse, longueur fausse) (2 points) ;
3. `niveau_authentification(claims)` → la valeur de `acr`, ou `None` si le claim est absent ;
   `jeton_expire(claims, maintenant)` → `True` si `exp` est absent ou inférieur ou égal à
   `maintenant`, `False` sinon (1 point).

Rappel, clé de Luhn : en partant du dernier chiffre (la clé) vers la gauche, on double un chiffre
sur deux à partir de l'avant-dernier ; on retranche 9 à tout résultat supérieur à 9 ; le numéro est
valide si la somme de tous les chiffres ainsi obtenus est un multiple de 10.

*Sources : documentation technique de Pro Santé Connect (OpenID Connect, JWT),
https://industriels.esante.gouv.fr/produits-et-services/pro-sante-connect/documentation-technique ;
noms des claims : modèle UserInfo de l'ANS, https://github.com/prosanteconnect/psc-context-sharing-api ;
clé de Luhn du RPPS : FAQ des industriels de l'ANS ; IdNat_PS : https://github.com/ansforge/IG-FHIR-PDSM4DMP-EEDS
(doctrine 2025).*
""")
code("exercice-2-reponse", SOL_4, solution=True, locked=False)
code("test-decodage-jeton", f'''
# Vérification de l'exercice 2, décodage (1 point)
_claims = lire_claims(JETONS["vasseur"])
assert isinstance(_claims, dict), "lire_claims doit renvoyer un dictionnaire (json.loads du 2e segment décodé)."
assert _claims.get("family_name") == "VASSEUR", "Les claims décodés du jeton « vasseur » ne sont pas les bons."
assert isinstance(decoder_segment(JETONS["vasseur"].split(".")[0]), dict), \\
    "decoder_segment doit renvoyer l'objet JSON du segment (l'entête est aussi un objet JSON)."
print("Vérifications visibles du décodage réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    (f"decoder_segment({tok('bertin')}.split('.')[0])",
     "decoder_segment décode mal l'entête d'un jeton."),
    (f"lire_claims({tok('bertin')})", "lire_claims ne renvoie pas tous les claims du jeton, ou pas les bons."),
    (f"lire_claims({tok('lemaire')})",
     "Un jeton contenant des caractères - ou _ et des lettres accentuées est mal décodé : utilisez le décodage "
     "base64url et l'UTF-8."),
    (f"[lire_claims(j)['sub'] for j in ({tok('cle_fausse')}, {tok('adeli')})]",
     "Le remplissage « = » à rajouter dépend de la longueur du segment : au moins un jeton est mal décodé."),
    ('lire_claims("abc.def")', "Un jeton qui n'a pas exactement trois segments doit donner None."),
    ("lire_claims(None)", "lire_claims doit renvoyer None pour une valeur qui n'est pas une chaîne."),
])}
''', grade=True, points=1)
code("test-rpps-luhn", f'''
# Vérification de l'exercice 2, RPPS et clé de Luhn (2 points)
assert luhn_valide("10002487618") is True, "Le RPPS fictif du Dr Vasseur (10002487618) a une clé de Luhn juste."
assert luhn_valide("10002487617") is False, "Un numéro dont la clé a été modifiée doit être refusé."
assert rpps_du_jeton(lire_claims(JETONS["vasseur"])) == "10002487618", \\
    "rpps_du_jeton doit renvoyer les 11 chiffres qui suivent le « 8 » de SubjectNameID."
print("Vérifications visibles du RPPS réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    ('[luhn_valide(n) for n in ("10005176341", "10006022866", "79927398713", "10005176342", "10006022867")]',
     "luhn_valide se trompe sur au moins un numéro : relisez l'ordre des chiffres doublés."),
    ('[luhn_valide(x) for x in ("", "1000517634A", " 10005176341", None, 10005176341)]',
     "luhn_valide doit renvoyer False, sans lever d'erreur, pour une valeur vide, non numérique ou d'un autre type."),
    (f"rpps_du_jeton(lire_claims({tok('bertin')}))", "Le RPPS extrait d'un jeton valide est faux."),
    (f"rpps_du_jeton(lire_claims({tok('cle_fausse')}))",
     "Un SubjectNameID dont la clé de Luhn est fausse ne doit pas donner de RPPS (None)."),
    (f"rpps_du_jeton(lire_claims({tok('adeli')}))",
     "Un identifiant ADELI (préfixe 0) n'est pas un RPPS : rpps_du_jeton doit renvoyer None."),
    ('[rpps_du_jeton(c) for c in ({}, {"SubjectNameID": "8100024876180"}, {"SubjectNameID": "10002487618"})]',
     "Claim absent, longueur fausse ou préfixe manquant : rpps_du_jeton doit renvoyer None."),
])}
''', grade=True, points=2)
code("test-niveau-expiration", f'''
# Vérification de l'exercice 2, niveau d'authentification et expiration (1 point)
_claims = lire_claims(JETONS["vasseur"])
assert isinstance(niveau_authentification(_claims), str), "niveau_authentification doit renvoyer la valeur du claim acr."
assert isinstance(jeton_expire(_claims, MAINTENANT), bool), "jeton_expire doit renvoyer True ou False."
print("Vérifications visibles du niveau et de l'expiration réussies (d'autres, cachées, s'ajoutent à la correction).")
{hidden([
    (f"niveau_authentification(lire_claims({tok('bertin')}))", "Le niveau d'authentification lu est faux."),
    (f"niveau_authentification(lire_claims({tok('sans_acr')}))",
     "Quand le claim acr est absent, niveau_authentification doit renvoyer None."),
    (f"[jeton_expire(lire_claims({tok('bertin')}), {REF['MAINTENANT']}), "
     f"jeton_expire(lire_claims({tok('expire')}), {REF['MAINTENANT']})]",
     "jeton_expire se trompe : comparez exp à l'instant donné."),
    ('[jeton_expire({"exp": 100}, 100), jeton_expire({"exp": 101}, 100), jeton_expire({}, 100)]',
     "Un jeton dont exp est égal à l'instant donné, ou sans exp, doit être considéré comme expiré."),
])}
''', grade=True, points=1)

md("partie-3-consignes", """
## Partie 3 — Question ouverte (4 points, corrigée par votre formateur)

Logidoc Santé raccorde le DPI « Orme » du CHTR à Pro Santé Connect. Un développeur propose, pour
aller vite, de faire exactement ce que vous avez fait dans l'exercice 2 : décoder le jeton reçu par le
navigateur, lire `SubjectNameID`, et ouvrir la session du professionnel correspondant.

En **10 à 15 lignes**, expliquez ce que l'application doit vérifier **avant** de faire confiance à un
jeton d'identité, et pourquoi le simple décodage ne suffit pas. Votre réponse précisera :

1. pourquoi des claims décodés ne prouvent rien tant que la signature n'est pas vérifiée ;
2. les contrôles à faire sur le jeton lui-même (au moins quatre) ;
3. où doivent se trouver le secret du client et l'échange des jetons (navigateur ou serveur), et pourquoi ;
4. ce que l'application fait ensuite de l'identité (rattachement au compte local, droits).

Écrivez votre réponse dans la cellule suivante (double-cliquez dessus pour l'éditer).
""")
md("question-ouverte", r"""
**Corrigé et barème (réservés au formateur ; remplacés par « VOTRE RÉPONSE ICI » dans la version apprenant)**

### Barème (4 points)

| Critère | Points | Éléments attendus (formulations acceptables) |
|---|---|---|
| A. Décoder n'est pas vérifier | 1 | Le base64url n'est qu'un encodage, pas un chiffrement ni une preuve : n'importe qui peut fabriquer un jeton dont les claims disent « Dr Vasseur ». Il faut **vérifier la signature** (JWS) avec les clés publiées par le fournisseur d'identité, en n'acceptant que l'algorithme attendu (jamais `none`). **0,5** si la signature est citée sans expliquer pourquoi le décodage ne prouve rien. |
| B. Contrôles sur le jeton | 1 | Au moins quatre parmi : émetteur `iss` égal à celui de PSC pour l'environnement utilisé (production ou bac à sable) ; audience `aud` contenant le `client_id` du service ; `exp` non dépassé (et `iat` plausible) ; `nonce` identique à celui envoyé dans la demande d'authentification (anti-rejeu) ; niveau `acr` suffisant pour la sensibilité du service ; présence de l'identifiant national attendu (RPPS valide). **0,5** pour deux ou trois contrôles justes. |
| C. Côté serveur | 1 | Le `client_id` et le secret restent **sur un serveur** (exigence 22 de PSC, qui interdit pour cette raison le mécanisme CORS) ; l'échange du code contre les jetons se fait de serveur à serveur, en TLS ; un jeton manipulé dans le navigateur peut être lu, rejoué ou forgé. **0,5** si « serveur » est dit sans justification. |
| D. Et ensuite | 1 | Rattacher l'identité vérifiée (identifiant national, pas le nom) au compte local du professionnel ; appliquer les droits du DPI (profession, rôle, structure d'exercice, éventuellement consultés dans les claims ou l'Annuaire Santé) ; tracer la connexion ; gérer l'expiration de la session. **0,5** si la réponse s'arrête à « ouvrir la session ». |

**Pénalités (plafonnées à −0,5 au total)** : erreur factuelle caractérisée (PSC présenté comme
destiné aux patients, confusion entre PSC et MSSanté, « le base64 chiffre le jeton »…), ou réponse
sans rapport avec le cas.

**Éléments de correction (sources)**

- PSC repose sur OpenID Connect (surcouche d'OAuth 2.0) et sur JWT/JWS ; CORS interdit, exigence 22
  (client ID et secret conservés sur un serveur) :
  https://industriels.esante.gouv.fr/produits-services/pro-sante-connect/documentation-technique ;
  https://industriels.esante.gouv.fr/produits-et-services/pro-sante-connect/documentation-technique
- Validation d'un ID token (signature, `iss`, `aud`, `exp`, `iat`, `nonce`, `acr`) : OpenID Connect
  Core 1.0, § 3.1.3.7, http://openid.net/specs/openid-connect-core-1_0.html (spécification citée par l'ANS)
- Émetteur de production et niveau `eidas1` du connecteur de l'ANS :
  https://github.com/ansforge/keycloak-prosanteconnect ; noms des claims :
  https://github.com/prosanteconnect/psc-context-sharing-api
- Clé de Luhn du RPPS ; IdNat_PS = « 8 » + RPPS : FAQ des industriels de l'ANS ;
  https://github.com/ansforge/IG-FHIR-PDSM4DMP-EEDS

**Exemple de réponse attendue (niveau 4/4, à titre indicatif)**

> Décoder un JWT ne prouve rien : le base64url est un simple encodage, et n'importe qui peut écrire un
> jeton dont les claims désignent le Dr Vasseur. Avant toute chose, le DPI vérifie la signature avec les
> clés publiques de Pro Santé Connect, en refusant tout algorithme inattendu. Il contrôle ensuite que
> `iss` est bien l'émetteur PSC de l'environnement utilisé, que `aud` contient son propre `client_id`,
> que `exp` n'est pas dépassé, que le `nonce` est celui qu'il a envoyé (contre le rejeu) et que le niveau
> `acr` suffit pour un service manipulant des données de santé. Tout cela se fait côté serveur : le
> `client_id` et le secret ne doivent jamais être dans le navigateur (exigence 22 de PSC, d'où
> l'interdiction de CORS), et le code d'autorisation est échangé contre les jetons de serveur à serveur,
> en TLS. Une fois le jeton validé, le DPI rattache l'identifiant national (« 8 » + RPPS à clé juste) au
> compte local du professionnel, applique ses droits selon sa profession et sa structure, trace la
> connexion et gère la fin de session.
""", grade=True, solution=True, locked=False, points=4)
md("fin", """
---
Fin du devoir. Enregistrez (Ctrl+S) puis soumettez. Vos réponses au quiz sont déjà enregistrées.
""")

nb = nbformat.v4.new_notebook()
nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
               "language_info": {"name": "python"}}
nb.cells = cells
for c in nb.cells:
    c.pop("id", None)
out = REPO / "solutions" / "module1" / "module1_evaluation.ipynb"
out.parent.mkdir(parents=True, exist_ok=True)
nbformat.write(nb, out)
print("écrit", out)
