"""Outils du formateur : la commande « formation » pilote une session nbgrader de bout en bout."""
