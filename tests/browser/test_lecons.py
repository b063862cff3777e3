"""Scenario 5: every lesson in the browser: its Mermaid diagrams render, and it runs with a working practice quiz.

- Diagrams: for each notebook of notebooks/ holding a ```mermaid fenced block, the number of diagrams JupyterLab
  renders (an <img> of an SVG inside .jp-RenderedMermaid) in each Markdown cell equals the number of blocks
  in that cell of the .ipynb; a Mermaid syntax error (JupyterLab then shows the source and the parser's
  message) fails with the notebook, the cell and the message. A diagram shrunk so much to fit the cell that
  its text is unreadable fails too. One screenshot per notebook shows all its diagrams
  (artifacts/browser/5-diagrammes-<notebook>.png).
- Lessons (all but module 0, whose quizzes have their own tests): « Exécuter toutes les cellules » leaves no
  error or warning output, and the lesson's first practice quiz works with the mouse: a wrong answer to
  question 1 gets its verdict and the bank's explanation, then every question answered right gets
  « Bonne réponse » and the summary counts them all.

Each notebook is opened once (a module-scoped parametrised fixture groups its tests); module 0 reuses the
`lecon` page of the other scenarios. All of it runs in the one course lab (`lab_cours`).
"""
from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from .conftest import DELAI_MS, REPO

MODULE0 = "notebooks/module0_doctrine.ipynb"
# A ```mermaid (or ~~~mermaid) fence opening a block, as marked (JupyterLab's Markdown parser) reads it.
_CLOTURE_MERMAID = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*mermaid[ \t]*$", re.MULTILINE)
# Smallest text size on screen for a diagram to stay readable. A wide diagram is shrunk to the cell's width
# (about 820 px in a 1280 px window with the file browser open): Mermaid's 16 px text at 50 % is 8 px.
POLICE_MIN_PX = 9.5


def _cellules_mermaid(chemin: str) -> dict[int, int]:
    """Index of each Markdown cell holding Mermaid blocks → number of blocks."""
    cells = json.loads((REPO / chemin).read_text(encoding="utf-8"))["cells"]
    compte = {i: len(_CLOTURE_MERMAID.findall("".join(c["source"]))) for i, c in enumerate(cells)
              if c["cell_type"] == "markdown"}
    return {i: n for i, n in compte.items() if n}


def _premier_quiz(chemin: str) -> str:
    """Id of the first practice quiz a lesson shows (« pratique("m1-…") »)."""
    for cell in json.loads((REPO / chemin).read_text(encoding="utf-8"))["cells"]:
        trouve = re.search(r"pratique\(\s*[\"']([^\"']+)[\"']", "".join(cell["source"]))
        if cell["cell_type"] == "code" and trouve:
            return trouve.group(1)
    raise AssertionError(f"{chemin} n'affiche aucun quiz d'entraînement (pratique(…)).")


NOTEBOOKS = sorted(f"notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb"))
AVEC_DIAGRAMMES = [c for c in NOTEBOOKS if _cellules_mermaid(c)]
LECONS = [c for c in NOTEBOOKS if Path(c).name.startswith("module") and c != MODULE0]


def _nom(chemin: str) -> str:
    return Path(chemin).stem


# --------------------------------------------------------------------------- one page per notebook

def _fermer_noyau(lab, chemin: str) -> None:
    """Shut the notebook's kernel down through the server API, so kernels do not pile up on a 2-core machine."""
    entetes = {"Authorization": f"token {lab.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab.base}/api/sessions", headers=entetes),
                                timeout=10) as reponse:
        sessions = json.load(reponse)
    for session in sessions:
        if session.get("path") == chemin:
            urllib.request.urlopen(urllib.request.Request(
                f"{lab.base}/api/sessions/{urllib.parse.quote(session['id'])}", method="DELETE",
                headers=entetes), timeout=10).close()


@pytest.fixture(scope="module")
def notebook(request, lab_cours, onglets):
    """``request.param`` opened in the course lab (its kernel connected); module 0 is the shared `lecon` page."""
    chemin = request.param
    if chemin == MODULE0:
        onglet = request.getfixturevalue("lecon")
        onglet.chemin = chemin
        yield onglet
        return
    onglet = onglets(lab_cours)
    onglet.chemin = chemin
    onglet.ouvrir(chemin)
    yield onglet
    onglet.page.close()
    try:
        _fermer_noyau(lab_cours, chemin)
    except OSError:
        pass  # the lab stops at the end of the session anyway


# --------------------------------------------------------------------------- diagrams

# Per expected cell: the rendered diagrams, finished (an SVG image, or JupyterLab's error block).
_ETAT_DIAGRAMMES = """(attendus) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return null;
    const etat = {total: panel.querySelectorAll('.jp-RenderedMermaid').length, cellules: {}};
    for (const index of Object.keys(attendus)) {
        const cell = panel.querySelector(`.jp-Cell[data-windowed-list-index="${index}"]`);
        const rendus = cell ? [...cell.querySelectorAll('.jp-RenderedMermaid')] : [];
        etat.cellules[index] = {
            presente: !!cell,
            titre: cell ? ((cell.querySelector('.jp-RenderedMarkdown > :first-child') || cell).textContent || '').trim().slice(0, 80) : '',
            finis: rendus.filter(m => m.querySelector('img') || m.classList.contains('jp-mod-warning')).length,
        };
    }
    return etat;
}"""

_TOUS_RENDUS = """(attendus) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return false;
    const total = Object.values(attendus).reduce((a, b) => a + b, 0);
    if (panel.querySelectorAll('.jp-RenderedMermaid').length < total) return false;
    return Object.entries(attendus).every(([index, n]) => {
        const cell = panel.querySelector(`.jp-Cell[data-windowed-list-index="${index}"]`);
        return cell && [...cell.querySelectorAll('.jp-RenderedMermaid')].filter(
            m => m.querySelector('img') || m.classList.contains('jp-mod-warning')).length >= n;
    });
}"""

# What each rendered diagram of a cell is: JupyterLab's error message, or its SVG measured as displayed. The
# smallest text size on screen is the SVG's smallest font size (read by placing a copy of the SVG off-screen,
# where Mermaid's own style sheet applies) times the scale at which the image is shown.
_DIAGRAMMES_DE_LA_CELLULE = """(cell) => [...cell.querySelectorAll('.jp-RenderedMermaid')].map(m => {
    if (m.classList.contains('jp-mod-warning')) {
        const detail = m.querySelector('details > pre');
        // JupyterLab sets the message with innerText (lines become <br>); textContent works off-screen too.
        const lignes = detail ? [...detail.childNodes].map(n => n.nodeName === 'BR' ? '\\n' : n.textContent).join('')
                              : m.textContent;
        return {erreur: lignes.trim().slice(0, 600) || '(message vide)'};
    }
    const img = m.querySelector('img');
    const src = img.getAttribute('src') || '';
    if (!src.startsWith('data:image/svg+xml,')) return {erreur: `image qui n'est pas un SVG (${src.slice(0, 40)}…)`};
    const svg = new DOMParser().parseFromString(decodeURIComponent(src.split(',')[1]), 'image/svg+xml');
    if (svg.querySelector('parsererror') || svg.documentElement.nodeName !== 'svg') return {erreur: 'SVG illisible'};
    const copie = document.createElement('div');
    copie.style.cssText = 'position: absolute; left: -100000px; top: 0; visibility: hidden;';
    copie.appendChild(document.importNode(svg.documentElement, true));
    document.body.appendChild(copie);
    try {
        const racine = copie.firstElementChild;
        const vue = (racine.getAttribute('viewBox') || '').trim().split(/[\\s,]+/).map(Number);
        const tailles = [...racine.querySelectorAll('*')].filter(e => [...e.childNodes].some(
                n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())).map(
                e => parseFloat(getComputedStyle(e).fontSize)).filter(t => t > 0);
        const boite = img.getBoundingClientRect();
        const echelle = vue.length === 4 && vue[2] > 0 ? boite.width / vue[2] : 0;
        return {texte: racine.textContent.replace(/\\s+/g, ' ').trim().slice(0, 120),
                charge: img.complete && img.naturalWidth > 0,
                affiche: [Math.round(boite.width), Math.round(boite.height)],
                naturel: vue.length === 4 ? [Math.round(vue[2]), Math.round(vue[3])] : null,
                echelle, police: tailles.length ? Math.min(...tailles) : null};
    } finally {
        copie.remove();
    }
})"""


def _attendre_diagrammes(onglet, chemin: str, attendus: dict[int, int]) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        onglet.page.wait_for_function(_TOUS_RENDUS, arg=attendus, timeout=DELAI_MS)
        return
    except PlaywrightTimeout:
        pass
    etat = onglet.page.evaluate(_ETAT_DIAGRAMMES, attendus) or {"total": 0, "cellules": {}}
    manques = [f"cellule {int(i) + 1} (« {e['titre']} ») : {e['finis']} diagramme(s) affiché(s) sur "
               f"{attendus[int(i)]} bloc(s) mermaid" + ("" if e["presente"] else ", cellule absente de la page")
               for i, e in etat["cellules"].items() if e["finis"] < attendus[int(i)]]
    onglet.echec(f"{chemin} : diagrammes Mermaid non rendus après {DELAI_MS // 1000} s :\n  " + "\n  ".join(manques))


def _capturer_diagrammes(onglet, nom: str, indices: list[int]) -> Path:
    """One screenshot of all the diagram cells of the notebook: other cells hidden, window as tall as they are.

    A style sheet, not classes on cells: the notebook attaches more cells when the window grows.
    """
    page = onglet.page
    gardees = "".join(f':not([data-windowed-list-index="{i}"])' for i in indices)
    regles = (f".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell{gardees} {{ display: none !important; }} "
              # Off-screen cells are skipped (content-visibility: auto) and report a placeholder height.
              ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell { content-visibility: visible !important; }")
    page.evaluate("""(regles) => {
        const style = document.createElement('style');
        style.id = 'essai-diagrammes';
        style.textContent = regles;
        document.head.appendChild(style);
        document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer').scrollTop = 0;
    }""", regles)
    cellules = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-viewport")
    taille = page.viewport_size
    try:
        hauteur = cellules.evaluate("v => v.getBoundingClientRect().height")
        page.set_viewport_size({"width": taille["width"], "height": max(taille["height"], int(hauteur) + 250)})
        # Lumino lays the panels out again on the window's resize event: wait until the cells fit.
        onglet.attendre_condition(
            """() => { const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                       const o = p && p.querySelector('.jp-WindowedPanel-outer');
                       const v = p && p.querySelector('.jp-WindowedPanel-viewport');
                       return o && v && v.getBoundingClientRect().bottom <= o.getBoundingClientRect().bottom; }""",
            "l'agrandissement du notebook pour la capture des diagrammes")
        return onglet.capture(f"5-diagrammes-{nom}", cellules)
    finally:
        page.evaluate("() => document.getElementById('essai-diagrammes').remove()")
        page.set_viewport_size(taille)


@pytest.mark.parametrize("notebook", AVEC_DIAGRAMMES, ids=_nom, indirect=True)
def test_les_diagrammes_s_affichent(notebook):
    chemin = notebook.chemin
    attendus = _cellules_mermaid(chemin)
    _attendre_diagrammes(notebook, chemin, attendus)

    panel = notebook.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    total = panel.locator(".jp-RenderedMermaid").count()
    defauts = []
    if total != sum(attendus.values()):
        defauts.append(f"{total} diagrammes affichés dans la page pour {sum(attendus.values())} blocs mermaid "
                       "dans le .ipynb")
    for index, nombre in attendus.items():
        cellule = panel.locator(f".jp-Cell[data-windowed-list-index='{index}']")
        # textContent, not innerText: an off-screen cell (content-visibility) has no rendered text.
        titre = cellule.locator(".jp-RenderedMarkdown > :first-child").text_content().strip().rstrip("¶")[:80]
        ou = f"{chemin}, cellule {index + 1} (« {titre} »)"
        diagrammes = cellule.evaluate(_DIAGRAMMES_DE_LA_CELLULE)
        if len(diagrammes) != nombre:
            defauts.append(f"{ou} : {len(diagrammes)} diagramme(s) affiché(s) pour {nombre} bloc(s) mermaid")
        for numero, d in enumerate(diagrammes, start=1):
            quoi = f"{ou}, diagramme {numero}"
            if "erreur" in d:
                defauts.append(f"{quoi} : Mermaid n'a pas pu le dessiner :\n      "
                               + d["erreur"].replace("\n", "\n      "))
            elif not d["charge"] or not d["texte"] or 0 in d["affiche"] or not d["naturel"]:
                defauts.append(f"{quoi} : image vide ou non chargée (affichée {d['affiche']}, "
                               f"texte « {d['texte']} »)")
            elif d["police"] is None or d["police"] * d["echelle"] < POLICE_MIN_PX:
                defauts.append(
                    f"{quoi} : texte illisible, son plus petit texte mesure {(d['police'] or 0) * d['echelle']:.1f} px "
                    f"à l'écran (minimum {POLICE_MIN_PX} px) : police de {d['police']} px, diagramme réduit à "
                    f"{d['echelle']:.0%} ({d['naturel'][0]} px de large affichés sur {d['affiche'][0]} px). "
                    "Disposez-le de haut en bas (flowchart TB), raccourcissez les libellés (<br/>) ou agrandissez "
                    "sa police (directive %%{init: …}%%).")
            if d.get("police"):
                print(f"{quoi} : {d['naturel'][0]} px affichés sur {d['affiche'][0]} px, plus petit texte "
                      f"{d['police'] * d['echelle']:.1f} px")
    image = _capturer_diagrammes(notebook, _nom(chemin), list(attendus))
    if defauts:
        notebook.echec("Diagrammes Mermaid défectueux :\n  " + "\n  ".join(defauts) + f"\nCapture : {image}")


# --------------------------------------------------------------------------- lessons and one quiz each

_SORTIES_EN_ERREUR = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return [...panel.querySelectorAll('.jp-CodeCell')].flatMap(c => [...c.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
            + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(o =>
        `cellule ${Number(c.getAttribute('data-windowed-list-index')) + 1} : ${o.textContent.trim().slice(0, 400)}`));
}"""


# Verdicts, matched case-sensitively: « Bonne réponse » as a plain has_text would also match « … pas la bonne réponse ».
BONNE_REPONSE = re.compile(r"✔ Bonne réponse\.")
MAUVAISE_REPONSE = re.compile(r"✘ Ce n'est pas la bonne réponse|◐ Réponse en partie juste")


def _normaliser(texte: str) -> str:
    return re.sub(r"\s+", " ", texte.replace("\xa0", " ")).strip()


def _mauvaise_reponse(q: dict):
    """A wrong answer of the question's kind (rotations give every position or pair wrong)."""
    kind = q["kind"]
    if kind == "single":
        return next(c["id"] for c in q["choices"] if c["id"] != q["answer"])
    if kind == "true_false":
        return not q["answer"]
    if kind == "multiple":
        fausses = [c["id"] for c in q["choices"] if c["id"] not in q["answer"]]
        return fausses[:1] or list(q["answer"])[:-1]
    if kind == "ordering":
        return list(q["answer"][1:]) + [q["answer"][0]]
    if kind == "matching":
        prompts = [p["id"] for p in q["prompts"]]
        return {p: q["answer"][prompts[(i + 1) % len(prompts)]] for i, p in enumerate(prompts)}
    if "value" in q["answer"]:
        return q["answer"]["value"] + q["answer"].get("tolerance", 0) + 1
    return "réponse fausse"


def _bonne_reponse(q: dict):
    """The bank's answer in the form _repondre takes (short answers: the number, or the first accepted text)."""
    if q["kind"] == "short_answer":
        return q["answer"]["value"] if "value" in q["answer"] else q["answer"]["accepted"][0]
    return q["answer"]


def _repondre(onglet, bloc, q: dict, valeur) -> None:
    """Give ``valeur`` (in the bank's form) through the question's controls, with the mouse."""
    kind = q["kind"]
    if kind in ("single", "true_false"):
        texte = ({True: "Vrai", False: "Faux"}[valeur] if kind == "true_false"
                 else next(c["text"] for c in q["choices"] if c["id"] == valeur))
        bloc.get_by_role("radio", name=texte, exact=True).check()
    elif kind == "multiple":
        for choix in q["choices"]:
            bloc.get_by_role("checkbox", name=choix["text"], exact=True).set_checked(choix["id"] in valeur)
    elif kind in ("matching", "ordering"):
        if kind == "matching":
            textes = {t["id"]: t["text"] for t in q["targets"]}
            voulus = [textes[valeur[p["id"]]] for p in q["prompts"]]
        else:
            textes = {i["id"]: i["text"] for i in q["items"]}
            voulus = [textes[i] for i in valeur]
        listes = bloc.locator("select")
        for position, voulu in enumerate(voulus):
            liste = listes.nth(position)
            options = [_normaliser(t) for t in liste.locator("option").all_text_contents()]
            if _normaliser(voulu) not in options:
                onglet.echec(f"Liste {position + 1} de la question {q['id']} : l'option « {voulu} » manque "
                             f"(options : {options}).")
            liste.select_option(index=options.index(_normaliser(voulu)))
    elif kind == "short_answer":
        champ = bloc.get_by_role("textbox")
        champ.fill(str(valeur))
        champ.press("Enter")
    else:
        onglet.echec(f"Type de question inconnu du test : {kind} ({q['id']}).")


def _verifier(onglet, bloc, q: dict, verdict: re.Pattern, quoi: str) -> None:
    """Click « Vérifier », wait for ``verdict``, then check the bank's explanation and source are shown."""
    retour = bloc.locator(".widget-html").last
    bloc.get_by_role("button", name="Vérifier").click()
    onglet.attendre(retour.filter(has_text=verdict), f"{quoi} (verdict attendu : « {verdict.pattern} »)")
    texte = _normaliser(retour.text_content())
    if _normaliser(q["explanation"]) not in texte:
        onglet.echec(f"Question {q['id']} : l'explication de la banque n'apparaît pas sous le verdict ; "
                     f"affiché : « {texte} ».")
    if not retour.locator(f"a[href='{q['source']}'][target='_blank']").count():
        onglet.echec(f"Question {q['id']} : le lien vers la source {q['source']} manque ou ne s'ouvre pas dans un "
                     "nouvel onglet.")


@pytest.mark.parametrize("notebook", LECONS, ids=_nom, indirect=True)
def test_la_lecon_s_execute_et_son_quiz_repond(notebook):
    chemin = notebook.chemin
    notebook.executer_tout()
    erreurs = notebook.page.evaluate(_SORTIES_EN_ERREUR)
    if erreurs:
        notebook.echec(f"{chemin} : « Exécuter toutes les cellules » affiche des erreurs ou avertissements :\n  "
                       + "\n  ".join(erreurs))

    quiz_id = _premier_quiz(chemin)
    banque = yaml.safe_load((REPO / "data" / "questions" / f"{quiz_id}.yaml").read_text(encoding="utf-8"))
    questions = banque["questions"]
    quiz = notebook.sortie(f"Quiz d'entraînement : {banque['title']}")
    for numero, q in enumerate(questions, start=1):
        bloc = notebook.question(quiz, numero)
        notebook.attendre_texte(bloc, q["text"], f"l'énoncé de la question {numero} du quiz {quiz_id}")
        bloc.scroll_into_view_if_needed()
        if numero == 1:
            _repondre(notebook, bloc, q, _mauvaise_reponse(q))
            _verifier(notebook, bloc, q, MAUVAISE_REPONSE,
                      f"le verdict d'une mauvaise réponse à {q['id']}")
            notebook.capture(f"5-quiz-{_nom(chemin)}-mauvaise-reponse", bloc)
        _repondre(notebook, bloc, q, _bonne_reponse(q))
        _verifier(notebook, bloc, q, BONNE_REPONSE, f"le verdict de la bonne réponse à {q['id']}")
    n = len(questions)
    bilan = f"{n} questions réussies sur {n}" if n > 1 else "1 question réussie sur 1"
    notebook.attendre_texte(quiz, bilan, f"le bilan du quiz {quiz_id}")
    notebook.capture(f"5-quiz-{_nom(chemin)}")
