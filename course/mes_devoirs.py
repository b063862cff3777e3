"""« Mes devoirs »: the self-study page (notebooks/mes_devoirs.ipynb), in French.

One line per graded assignment: fetch it into ``travail/``, open it, hand it in and read
the grade and the correction; earlier attempts stay listed.
"""
from __future__ import annotations

import html
import os

import ipywidgets as w

from . import autonomie
from .release import assignments


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _link(path, text: str) -> str:
    # Relative to notebooks/, beside travail/, where this page lives: JupyterLab opens such links in a tab.
    page_folder = autonomie.work_folder("x").parent.parent / "notebooks"
    relative = os.path.relpath(path, page_folder)
    return f'<a href="{html.escape(relative)}" target="_blank">{html.escape(text)}</a>'


class AssignmentRow:
    def __init__(self, module: str):
        self.module = module
        self.status = w.HTML()
        self.fetch_button = w.Button(description="Récupérer le devoir", icon="download",
                                     tooltip=f"Copier le devoir {module} dans travail/{module}")
        self.submit_button = w.Button(description="Rendre et voir ma note", icon="check", button_style="primary",
                                      tooltip=f"Corriger travail/{module} et afficher la correction")
        self.result = w.HTML()
        self.fetch_button.on_click(lambda _b: self.fetch())
        self.submit_button.on_click(lambda _b: self.submit())
        title = w.HTML(f"<h3>Devoir {html.escape(module.replace('module', 'du module '))}</h3>")
        self.widget = w.VBox([title, self.status, w.HBox([self.fetch_button, self.submit_button]), self.result])
        self.refresh()

    def refresh(self) -> None:
        work = autonomie.work_folder(self.module)
        notebooks = sorted(work.glob("*.ipynb")) if work.exists() else []
        if notebooks:
            links = ", ".join(_link(nb, nb.name) for nb in notebooks)
            text = f"Votre copie : {links} (dossier <code>travail/{self.module}</code>, jamais écrasé)."
        else:
            text = "Pas encore commencé : cliquez sur « Récupérer le devoir »."
        history = autonomie.attempts(self.module)
        if history:
            rows = "".join(f"<li>{html.escape(a['quand'][:16].replace('T', ' à '))} : "
                           f"<b>{_points(a['points'])} / {_points(a['sur'])}</b></li>" for a in history)
            text += f"<br>Tentatives précédentes :<ul>{rows}</ul>"
        self.status.value = text
        self.submit_button.disabled = not notebooks

    def fetch(self) -> None:
        folder, created = autonomie.fetch(self.module)
        self.result.value = ("Devoir copié dans <code>travail/{m}</code> : ouvrez-le avec le lien ci-dessus."
                             if created else "Votre copie existe déjà : elle est conservée telle quelle.").format(
            m=html.escape(self.module))
        self.refresh()

    def submit(self) -> None:
        self.submit_button.disabled = True
        self.result.value = ("<em>Correction en cours (quelques secondes)… Seule la dernière version "
                             "<b>enregistrée</b> du notebook compte (Ctrl+S).</em>")
        try:
            attempt = autonomie.submit(self.module)
        except autonomie.AutonomieError as exc:
            self.result.value = f"<b>Impossible de corriger :</b> {html.escape(str(exc))}"
        else:
            self.result.value = (f"<b>Note : {_points(attempt.score)} / {_points(attempt.max_score)}</b>. "
                                 f"Lisez la {_link(attempt.feedback, 'correction détaillée')} : pour chaque "
                                 "question, votre réponse, la bonne réponse, l'explication et la source. "
                                 "La question ouverte n'est pas notée automatiquement : comparez votre réponse "
                                 "au barème donné dans la correction. Vous pouvez corriger votre copie et rendre "
                                 "à nouveau : chaque tentative est gardée.")
        finally:
            self.refresh()


def mes_devoirs() -> w.VBox:
    """The page: one row per graded assignment."""
    rows = [AssignmentRow(module) for module in assignments()]
    return w.VBox([row.widget for row in rows])
