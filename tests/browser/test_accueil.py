"""Scenario 1: `make lab` opens the course home page in a French JupyterLab, without a news pop-up."""

MENUS_FRANCAIS = ("Fichier", "Édition", "Affichage", "Exécution", "Noyau")


def test_le_sommaire_s_ouvre_en_francais_sans_fenetre_de_nouvelles(lab_cours, onglets):
    onglet = onglets(lab_cours)
    page = onglet.page
    onglet.ouvrir("notebooks/sommaire.ipynb")
    onglet.attendre_texte(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput"),
                          "Cours interactif : la doctrine du numérique en santé", "le titre du sommaire")

    menus = [t.strip() for t in page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()]
    manquants = [m for m in MENUS_FRANCAIS if m not in menus]
    if manquants:
        onglet.echec(f"L'interface n'est pas en français : menus {manquants} absents de la barre de menus "
                     f"(trouvés : {menus}).")

    # JupyterLab asks about news in a toast at start-up unless fetchNews is off; none may appear.
    notifications = page.locator(".jp-toast-message, .Toastify__toast")
    if notifications.count():
        onglet.echec(f"Une notification s'affiche au démarrage : {notifications.all_inner_texts()}.")
    compteur = page.locator(".jp-Notification-Status")
    if compteur.count() and compteur.first.inner_text().strip() not in ("", "0"):
        onglet.echec(f"Le centre de notifications n'est pas vide : « {compteur.first.inner_text()} ».")

    onglet.capture("1-sommaire")
    page.close()
