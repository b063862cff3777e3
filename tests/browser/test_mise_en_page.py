"""What the learner sees of the quiz controls: no option text may spill over the next one."""

# For every radio option of the quizzes: does its text overflow the option's box (and so cover the next
# option and hide the radio button itself)?
_DEBORDEMENTS = """() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .widget-radio-box label')].filter(
        l => l.scrollHeight > l.clientHeight + 2).map(l => {
            const style = getComputedStyle(l);
            return `« ${l.textContent.trim().slice(0, 60)}… » : texte de ${l.scrollHeight} px dans une boîte de `
                + `${l.clientHeight} px (height ${style.height}, line-height ${style.lineHeight})`;
        })"""


def test_aucune_option_radio_ne_deborde(lecon):
    lecon.sortie("Quiz d'entraînement")
    debordements = lecon.page.evaluate(_DEBORDEMENTS)
    assert not debordements, (
        "Des options à choix unique débordent de leur ligne (le texte recouvre l'option suivante et le bouton "
        "radio coché devient invisible) :\n  " + "\n  ".join(debordements))
