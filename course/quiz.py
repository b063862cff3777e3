"""Quizzes as learners see them: practice (instant feedback) and graded (saved answers).

Notebooks call ``pratique("m0-cadre")`` or ``evaluation("m0-evaluation")`` as the
last line of a cell. The objects returned also form the small Python API used by
tests and simulated learners: ``answer()`` sets the controls exactly as clicks do,
``check()`` presses « Vérifier », ``saved()`` reads back the answers file.
"""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import display

from . import progress
from .answer_format import AnswerFormatError, check_answer, is_answered
from .answers_store import (
    CorruptAnswersFile, answers_path, read_answers, set_aside, write_answers,
)
from .bank import KIND_LABELS, Question, Quiz, load_quiz
from .inputs import QuestionInput
from .scoring import score
from .verifications import install_french_messages


def pratique(quiz_id: str) -> "PracticeQuiz":
    """A practice quiz of a lesson: answer, « Vérifier », explanation and source."""
    return PracticeQuiz(load_quiz(quiz_id))


def evaluation(quiz_id: str, folder: str | Path | None = None) -> "GradedQuiz":
    """A graded quiz: answers saved next to the notebook, graded by nbgrader.

    Also gives the assignment's visible checks their French messages (course.verifications).
    """
    install_french_messages()
    return GradedQuiz(load_quiz(quiz_id), folder)


# ipywidgets gives radio labels a fixed one-line height: a long option then overlaps the
# next one and hides its button (seen in Chromium). Let labels grow with their text.
_QUIZ_STYLE = (
    "<style>.cours-quiz .widget-radio-box label{display:flex;flex-direction:row-reverse;"
    "justify-content:flex-end;align-items:flex-start;height:auto;line-height:1.4;margin-bottom:.3em}"
    ".cours-quiz .widget-radio-box input{flex:none;height:1.4em}"
    # A 100 %-wide checkbox plus its margins overflowed its box (spurious horizontal scrollbar):
    # keep it inside, and let long option texts wrap instead of stretching the line.
    ".cours-quiz .widget-checkbox{box-sizing:border-box;max-width:calc(100% - 2*var(--jp-widgets-margin,2px));"
    "height:auto}.cours-quiz .widget-checkbox label{white-space:normal;height:auto;line-height:1.4}"
    # Matching and ordering drop-downs start at the same position whatever their label's width.
    ".cours-quiz .widget-dropdown{height:auto;align-items:center}"
    ".cours-quiz .widget-dropdown>.widget-label{flex:0 0 16em;width:16em!important;max-width:16em;"
    "white-space:normal;height:auto;line-height:1.3}"
    # A keyboard user sees clearly which « Vérifier » button has the focus.
    ".cours-quiz .jupyter-button:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}"
    # The re-run note under a graded quiz is for when its widgets are gone: hide it while the
    # quiz is live (ipywidgets marks views « jupyter-widgets-disconnected » once the kernel dies;
    # after a reload the views, and this style, are not there at all).
    ".jp-OutputArea:has(.cours-quiz:not(.jupyter-widgets-disconnected)) .cours-relance{display:none}"
    "</style>"
)
RERUN_NOTE = (
    "Si le quiz ne s'affiche plus (noyau redémarré ou notebook rouvert : message d'erreur ou icône "
    "de lien brisé à la place des questions), réexécutez cette cellule (Maj+Entrée) : vos réponses "
    "sont conservées dans le fichier {name} et réapparaîtront."
)


def _quiz_box(children: list) -> w.VBox:
    box = w.VBox([w.HTML(_QUIZ_STYLE), *children])
    box.add_class("cours-quiz")
    return box


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _points(value: float) -> str:
    """Points the French way: « 3 », « 3,5 », « 2,67 » (never « 3.0 »)."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n < 2 else plural}"


class _QuizView:
    mode = ""

    def __init__(self, quiz: Quiz):
        if quiz.mode != self.mode:
            other = "pratique()" if quiz.mode == "practice" else "evaluation()"
            raise ValueError(f"Le quiz « {quiz.id} » est en mode « {quiz.mode} » : ouvrez-le avec {other}.")
        self.quiz = quiz
        self.inputs = {q.id: QuestionInput(q, self._changed_callback(q)) for q in quiz.questions}

    def _changed_callback(self, question: Question):
        return lambda: self._on_change(question)

    def _on_change(self, question: Question) -> None:
        raise NotImplementedError

    def _header(self, number: int, q: Question) -> w.HTML:
        total = len(self.quiz.questions)
        return w.HTML(
            f"<p><strong>Question {number}/{total}</strong> "
            f"<small>({KIND_LABELS[q.kind]})</small><br>{_escape(q.text)}</p>"
        )

    def _question(self, question_id: str) -> Question:
        return self.quiz.question(question_id)

    def answer(self, question_id: str, value: Any) -> None:
        """Answer a question through the widgets, exactly as a learner's clicks would."""
        q = self._question(question_id)
        try:
            canonical = check_answer(q, value, complete=False)
        except AnswerFormatError as exc:
            raise ValueError(f"Réponse impossible pour la question « {q.id} » : {exc}") from None
        self.inputs[q.id].value = canonical

    def value(self, question_id: str) -> Any:
        """What the widgets of a question currently show, in canonical form."""
        return self.inputs[self._question(question_id).id].value

    def _ipython_display_(self) -> None:
        display(self.box)


class PracticeQuiz(_QuizView):
    mode = "practice"

    def __init__(self, quiz: Quiz):
        super().__init__(quiz)
        self.results: dict[str, float] = {}
        self.feedback = {q.id: w.HTML() for q in quiz.questions}
        self.buttons = {}
        blocks = []
        for number, q in enumerate(quiz.questions, start=1):
            button = w.Button(description="Vérifier", button_style="primary", icon="check",
                              tooltip=f"Vérifier ma réponse à la question {number}")
            button.on_click(self._check_callback(q))
            self.buttons[q.id] = button
            blocks.append(w.VBox(
                [self._header(number, q), self.inputs[q.id].widget, button, self.feedback[q.id]],
                layout=w.Layout(border="1px solid #ddd", padding="0.5em", margin="0 0 0.8em 0"),
            ))
        self.summary = w.HTML()
        self.progress_note = w.HTML()
        self._update_summary()
        title = w.HTML(f"<h4>Quiz d'entraînement : {_escape(quiz.title)}</h4>"
                       "<p><em>Non noté. Répondez, cliquez sur « Vérifier » et recommencez autant "
                       "que vous voulez. Votre dernier résultat à chaque question est gardé sur cet "
                       "ordinateur pour le carnet « Ma progression » ; il n'est envoyé nulle part.</em></p>")
        self.box = _quiz_box([title, *blocks, self.summary, self.progress_note])

    def _check_callback(self, question: Question):
        return lambda _button: self._check(question)

    def _on_change(self, question: Question) -> None:
        # Feedback describes the answer that was checked; a new answer needs a new check.
        self.feedback[question.id].value = ""

    def check(self, question_id: str) -> float | None:
        """Press « Vérifier » for a question; returns the fraction earned (None if unanswered)."""
        q = self._question(question_id)
        self.buttons[q.id].click()
        return self.results.get(q.id) if is_answered(q, self.inputs[q.id].value) else None

    def _check(self, q: Question) -> None:
        answer = self.inputs[q.id].value
        if not is_answered(q, answer):
            self.feedback[q.id].value = "<p>⚠️ Choisissez ou saisissez d'abord une réponse.</p>"
            return
        fraction = score(q, answer, q.answer)
        self.results[q.id] = fraction
        self._record(q, fraction)
        if fraction == 1:
            verdict = "<strong style='color:#1a7f37'>✔ Bonne réponse.</strong>"
        elif fraction > 0:
            verdict = (f"<strong style='color:#9a6700'>◐ Réponse en partie juste "
                       f"({round(fraction * 100)} %).</strong> Vous pouvez corriger et vérifier à nouveau.")
        else:
            verdict = ("<strong style='color:#cf222e'>✘ Ce n'est pas la bonne réponse.</strong> "
                       "Relisez l'explication puis réessayez.")
        self.feedback[q.id].value = (
            f"<div role='status'><p>{verdict}</p><p>{_escape(q.explanation or '')}</p>"
            f"<p><small>Source : <a href='{html.escape(q.source)}' target='_blank' rel='noopener'>"
            f"{_escape(q.source)}</a> — doctrine, édition {_escape(q.edition)}</small></p></div>"
        )
        self._update_summary()

    def _record(self, q: Question, fraction: float) -> None:
        # Progress is a convenience: a damaged or unwritable file must never stop the quiz.
        try:
            notice = progress.record(self.quiz, q.id, fraction)
        except (OSError, ValueError) as exc:
            self.progress_note.value = (
                f"<p><small>Progression non enregistrée ({_escape(getattr(exc, 'strerror', None) or str(exc))}) : le quiz "
                "fonctionne normalement.</small></p>")
            return
        if notice:
            self.progress_note.value = f"<p role='alert'><small>⚠️ {_escape(notice)}</small></p>"

    def _update_summary(self) -> None:
        total = len(self.quiz.questions)
        right = sum(1 for f in self.results.values() if f == 1)
        points = sum(self.results.values())
        self.summary.value = (
            f"<p role='status'><strong>Votre bilan :</strong> {_count(right, 'question réussie', 'questions réussies')} "
            f"sur {total}, {_count(len(self.results), 'vérifiée', 'vérifiées')} ; "
            f"score {_points(points)} / {total}.</p>"
        )


class GradedQuiz(_QuizView):
    mode = "graded"

    def __init__(self, quiz: Quiz, folder: str | Path | None = None):
        super().__init__(quiz)
        self.path = answers_path(folder)
        self.status = {q.id: w.HTML() for q in quiz.questions}
        self.banner = w.HTML()
        self.progress = w.HTML()
        self._restoring = False
        notice = self._restore()
        blocks = [
            w.VBox([self._header(n, q), self.inputs[q.id].widget, self.status[q.id]],
                   layout=w.Layout(border="1px solid #ddd", padding="0.5em", margin="0 0 0.8em 0"))
            for n, q in enumerate(quiz.questions, start=1)
        ]
        title = w.HTML(
            f"<h4>Quiz noté : {_escape(quiz.title)}</h4><p><em>Vos réponses sont enregistrées "
            f"automatiquement dans le fichier <code>{self.path.name}</code>, à côté de ce notebook, "
            "et envoyées avec lui. Ne le supprimez pas. La correction vous parviendra après la "
            "notation par le formateur.</em></p>")
        self.banner.value = notice
        self._update_progress()
        self.box = _quiz_box([title, self.banner, *blocks, self.progress])

    def _read_or_set_aside(self) -> tuple[dict, str]:
        try:
            return read_answers(self.path), ""
        except CorruptAnswersFile as exc:
            aside = set_aside(self.path)
            return {}, (
                f"<p role='alert' style='color:#cf222e'><strong>Attention :</strong> le fichier de réponses "
                f"<code>{self.path.name}</code> était illisible ({_escape(str(exc))}). Il a été mis de côté "
                f"sous le nom <code>{aside.name}</code> sans être effacé. Le quiz repart de zéro : "
                "répondez à nouveau et prévenez votre formateur si vous aviez déjà répondu.</p>"
            )

    def _restore(self) -> str:
        saved, notice = self._read_or_set_aside()
        mine = saved.get(self.quiz.id, {})
        self._restoring = True
        try:
            for q in self.quiz.questions:
                if q.id not in mine:
                    continue
                try:
                    self.inputs[q.id].value = check_answer(q, mine[q.id], complete=False)
                    self.status[q.id].value = "<small>Réponse restaurée depuis le fichier.</small>"
                except AnswerFormatError:
                    self.status[q.id].value = ("<small style='color:#cf222e'>La réponse enregistrée pour "
                                               "cette question n'a pas pu être relue : répondez à nouveau.</small>")
        finally:
            self._restoring = False
        return notice

    def _on_change(self, question: Question) -> None:
        if self._restoring:
            return
        saved, notice = self._read_or_set_aside()
        if notice:
            self.banner.value = notice
        mine = {q.id: self.inputs[q.id].value for q in self.quiz.questions
                if is_answered(q, self.inputs[q.id].value)}
        saved[self.quiz.id] = mine
        try:
            write_answers(self.path, saved)
        except OSError as exc:
            self.status[question.id].value = (
                f"<small role='alert' style='color:#cf222e'>Impossible d'enregistrer la réponse "
                f"({_escape(exc.strerror or str(exc))}). Elle reste affichée ; vérifiez l'espace disque "
                "ou les droits du dossier, puis modifiez-la à nouveau.</small>")
            return
        when = datetime.now().strftime("%H:%M:%S")
        state = "enregistrée" if question.id in mine else "effacée"
        self.status[question.id].value = f"<small>✓ Réponse {state} à {when}.</small>"
        self._update_progress()

    def _update_progress(self) -> None:
        total = len(self.quiz.questions)
        done = sum(1 for q in self.quiz.questions if is_answered(q, self.inputs[q.id].value))
        self.progress.value = f"<p role='status'><strong>Questions répondues :</strong> {done} / {total}</p>"

    def rerun_note(self) -> str:
        return RERUN_NOTE.format(name=self.path.name)

    def _ipython_display_(self) -> None:
        # Two outputs: the quiz, with a French text/plain for views without widgets, and a
        # plain HTML note that stays readable when the widget model is gone (JupyterLab then
        # shows only « Error displaying widget: model not found » in place of the quiz).
        bundle = self.box._repr_mimebundle_()
        bundle["text/plain"] = f"Quiz noté : {self.quiz.title}. {self.rerun_note()}"
        display(bundle, raw=True)
        display({"text/html": f"<div class='cours-relance' role='note'><p>↻ <em>{_escape(self.rerun_note())}"
                              "</em></p></div>",
                 "text/plain": f"↻ {self.rerun_note()}"}, raw=True)

    def saved(self) -> dict[str, Any]:
        """This quiz's answers as they stand in the answers file."""
        return read_answers(self.path).get(self.quiz.id, {})
