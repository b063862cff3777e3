"""La commande « formation » : piloter une session de formation sans connaître nbgrader.

Every message is French; an error is one clear message (no traceback) and exit code 1.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import warnings
from pathlib import Path

from ..nbgrader_settings import command_env
from . import comptes, progress, report, steps
from . import session as sessions
from .errors import FormationError
from .roster import read_roster

# argparse's own messages, which Python ships in English only.
_ARGPARSE_FR = [
    ("the following arguments are required: ", "arguments obligatoires manquants : "),
    ("unrecognized arguments: ", "arguments inconnus : "),
    ("invalid choice: ", "choix invalide : "),
    ("(choose from ", "(choix possibles : "),
    ("expected one argument", "une valeur est attendue"),
]


class _FrenchFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse passes prefix="" when it builds a subcommand's name: keep that one.
        return super().add_usage(usage, actions, groups, prefix="Utilisation : " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--aide", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message):
        for english, french in _ARGPARSE_FR:
            message = message.replace(english, french)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="formation",
        description="Piloter une session de formation sur la doctrine du numérique en santé "
                    "(distribution, collecte, correction, retours et notes des devoirs).",
        epilog="Déroulé type :\n"
               "  formation session creer --cours dns-2026-12\n"
               "  formation apprenants importer apprenants.csv\n"
               "  formation comptes creer           (serveur JupyterHub, en root)\n"
               "  formation publier module0\n"
               "  formation collecter module0\n"
               "  formation corriger module0\n"
               "  formation correction-manuelle   (réponses ouvertes)\n"
               "  formation retours module0\n"
               "  formation notes\n"
               "  formation rapport\n"
               "Plusieurs devoirs d'un coup : « formation corriger 0 2 3 » ou « formation corriger tous »\n"
               "(tout ce qui est collecté) ; de même pour publier, collecter et retours.",
    )
    parser.add_argument("--session", metavar="DOSSIER", type=Path,
                        help="dossier de la session (par défaut : $FORMATION_SESSION, sinon le dossier courant)")
    commands = parser.add_subparsers(dest="commande", metavar="COMMANDE", title="commandes", parser_class=_Parser)

    session = commands.add_parser("session", help="créer une session")
    session_commands = session.add_subparsers(dest="action", metavar="ACTION", title="actions", parser_class=_Parser)
    create = session_commands.add_parser("creer", help="créer la session (dossier nbgrader et espace d'échange)")
    create.add_argument("--cours", required=True, metavar="ID", help="identifiant du cours, par ex. dns-2026-12")
    create.add_argument("--echange", type=Path, metavar="DOSSIER",
                        help="dossier d'échange partagé avec les apprenants, hors de la session "
                             "(par défaut : DOSSIER_SESSION-echange, à côté de la session)")

    learners = commands.add_parser("apprenants", help="gérer la liste des apprenants")
    learner_commands = learners.add_subparsers(dest="action", metavar="ACTION", title="actions", parser_class=_Parser)
    import_ = learner_commands.add_parser(
        "importer", help="importer la liste (CSV : identifiant;prenom;nom;courriel)",
        description="Importe un CSV exporté d'un tableur (UTF-8 avec ou sans BOM, séparateur ; ou ,). "
                    "Tout est vérifié avant d'écrire : une seule ligne fautive et rien n'est importé.")
    import_.add_argument("fichier", type=Path, metavar="FICHIER.csv")
    learner_commands.add_parser("lister", help="afficher les apprenants de la session")

    accounts = commands.add_parser(
        "comptes", help="comptes du serveur de formation (JupyterHub), en root",
        description="Crée sur ce serveur un compte par apprenant de la liste importée (dossier personnel "
                    "privé, mot de passe individuel tiré au hasard et affiché une seule fois), le compte "
                    "du formateur, ou les supprime en fin de session. À lancer en root (sudo).")
    account_commands = accounts.add_subparsers(dest="action", metavar="ACTION", title="actions", parser_class=_Parser)
    create_accounts = account_commands.add_parser(
        "creer", help="créer les comptes des apprenants de la session et afficher leurs mots de passe",
        description="Un compte par apprenant importé, au même identifiant. Les mots de passe des comptes "
                    "créés sont affichés une seule fois : imprimez-les et remettez à chacun le sien. "
                    "Un compte existant garde son mot de passe, sauf avec --nouveaux-mots-de-passe.")
    create_accounts.add_argument("--nouveaux-mots-de-passe", action="store_true",
                                 help="donner aussi un nouveau mot de passe aux comptes existants")
    create_accounts.add_argument("--fichier", type=Path, metavar="FICHIER",
                                 help="écrire aussi la liste dans FICHIER (lisible par vous seul), à imprimer puis supprimer")
    create_accounts.add_argument("--adresse", metavar="URL", help="adresse du serveur à rappeler sur la liste")
    trainer = account_commands.add_parser("formateur", help="créer le compte du formateur (administrateur du serveur)")
    trainer.add_argument("nom", metavar="IDENTIFIANT")
    trainer.add_argument("--nouveau-mot-de-passe", action="store_true",
                         help="lui donner un nouveau mot de passe s'il existe déjà")
    delete_accounts = account_commands.add_parser(
        "supprimer", help="supprimer les comptes des apprenants et leurs dossiers (fin de session)",
        description="Supprime le compte et le dossier personnel de chaque apprenant de la session. "
                    "Récupérez d'abord notes et rapports : rien ne peut être restauré.")
    delete_accounts.add_argument("--oui", action="store_true", required=True,
                                 help="confirmer la suppression (obligatoire)")

    for name, text in (("publier", "générer puis distribuer un devoir"),
                       ("collecter", "ramasser les devoirs soumis (les dépôts usurpés partent en quarantaine)"),
                       ("corriger", "corriger automatiquement chaque devoir collecté"),
                       ("retours", "générer et envoyer les retours aux apprenants")):
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        # Several modules in one command: nbgrader and the sandboxes' template start once.
        command.add_argument("module", metavar="MODULE", nargs="+",
                             help="le ou les devoirs, par ex. module0 (ou 0), « 0 2 3 », ou « tous »")
        if name == "corriger":
            command.add_argument("--tout", action="store_true",
                                 help="recorriger aussi les devoirs déjà corrigés et inchangés")
        if name == "retours":
            command.add_argument("--corrige", action="store_true",
                                 help="montrer aussi les bonnes réponses, les explications et le barème "
                                      "(après la date limite)")
    commands.add_parser("notes", help="exporter les notes (CSV et XLSX) dans DOSSIER_SESSION/rapports")
    commands.add_parser("rapport", help="rapport HTML : réussite par apprenant, par question et par notion")
    commands.add_parser(
        "correction-manuelle", help="ouvrir l'outil de correction de nbgrader (formgrader) pour les réponses ouvertes",
        description="Lance JupyterLab dans le dossier de la session avec l'outil de correction de nbgrader "
                    "(formgrader), masqué dans le JupyterLab des apprenants. Arrêt : Ctrl+C deux fois. "
                    "Toute autre option est passée à JupyterLab, par ex. --port=8890 --no-browser.")
    return parser


def _session_folder(args) -> Path:
    return args.session or Path(os.environ.get("FORMATION_SESSION") or Path.cwd())


def open_formgrader(current: sessions.Session, extra: list[str]) -> int:
    """JupyterLab in the session folder, with formgrader switched on for this launch only."""
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={current.folder}",
               "--ServerApp.default_url=/formgrader",
               "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}", *extra]
    if os.geteuid() == 0:
        command.append("--allow-root")
    print("Ouverture de l'outil de correction (page /formgrader). Notez les réponses ouvertes, "
          "puis relancez « formation rapport ». Arrêt : Ctrl+C deux fois.", flush=True)
    return subprocess.run(command, cwd=current.folder, env=command_env()).returncode


def run_accounts(current: sessions.Session, args) -> int:
    if args.action == "formateur":
        account = comptes.create_trainer_account(args.nom, args.nouveau_mot_de_passe)
        print(comptes.password_sheet([account], None), end="")
        return 0
    names = sorted(steps.learner_ids(current))
    if not names:
        raise FormationError("Aucun apprenant dans la session : importez la liste avec « formation apprenants importer ».")
    if args.action == "supprimer":
        removed = comptes.delete_accounts(names)
        print(f"{len(removed)} compte(s) supprimé(s) : {', '.join(removed) or 'aucun'}.")
        return 0
    accounts = comptes.create_learner_accounts(names, args.nouveaux_mots_de_passe)
    sheet = comptes.password_sheet(accounts, args.adresse)
    print(sheet, end="")
    if args.fichier:
        comptes.write_sheet(args.fichier, sheet)
        print(f"Liste écrite dans {args.fichier} (lisible par vous seul) : imprimez-la, puis supprimez-la.")
    created = sum(a.created for a in accounts)
    print(f"{created} compte(s) créé(s), {len(accounts) - created} existant(s). Ces mots de passe ne seront "
          "plus affichés : remettez à chacun le sien (jamais un mot de passe commun).")
    return 0


def run(args) -> int:
    folder = _session_folder(args)
    if args.commande == "session":
        created = sessions.create(folder, args.cours, args.echange)
        print(f"Session « {created.course_id} » prête dans {created.folder}.")
        print(f"Espace d'échange : {created.exchange}. Réglage à donner aux apprenants : "
              f"{created.folder / 'config_apprenant.py'}.")
        print(f"Devoirs disponibles : {', '.join(created.modules)}.")
        return 0
    current = sessions.load(folder)
    if args.commande == "apprenants":
        if args.action == "importer":
            learners, warnings = read_roster(args.fichier)
            for warning in warnings:
                print(f"Attention : {warning}")
            added, updated = steps.import_learners(current, learners)
            print(f"{len(learners)} apprenant(s) importé(s) : {added} ajouté(s), {updated} mis à jour.")
        else:
            with current.gradebook() as gb:
                students = sorted(gb.students, key=lambda s: s.id)
                for student in students:
                    print(f"{student.id}\t{student.first_name or ''} {student.last_name or ''}".rstrip())
                print(f"{len(students)} apprenant(s).")
        return 0
    if args.commande == "comptes":
        return run_accounts(current, args)
    if args.commande == "notes":
        steps.export_grades(current)
        return 0
    if args.commande == "rapport":
        report.write_report(current)
        return 0
    if args.commande == "correction-manuelle":
        return open_formgrader(current, args.options_jupyter)
    modules = current.modules_named(args.module, args.commande)
    if len(modules) == 1:
        return run_step(current, args, modules[0])
    # One module's trouble never stops the next: each says what went wrong, the exit code sums up.
    failed = []
    for module in modules:
        print(f"\n— {module} —", flush=True)
        try:
            if run_step(current, args, module) != 0:
                failed.append(module)
        except FormationError as exc:
            print(f"formation : {exc}", file=sys.stderr, flush=True)
            failed.append(module)
    ok = len(modules) - len(failed)
    print(f"\n{ok} {progress.plural('devoir', ok)} sur {len(modules)} sans problème"
          + (f" ; à revoir : {', '.join(failed)}." if failed else "."), flush=True)
    return 1 if failed else 0


def run_step(current: sessions.Session, args, module: str) -> int:
    if args.commande == "publier":
        steps.publish(current, module)
    elif args.commande == "collecter":
        steps.collect(current, module)
    elif args.commande == "corriger":
        outcomes = steps.grade(current, module, regrade_all=args.tout)
        return 1 if any(o.status == "échec" for o in outcomes) else 0
    elif args.commande == "retours":
        sent, total = steps.feedback(current, module, corrige=args.corrige)
        return 0 if sent == total else 1
    return 0


def main(argv: list[str] | None = None) -> int:
    # nbgrader's gradebook makes SQLAlchemy warn about its own session handling: noise for a trainer.
    warnings.filterwarnings("ignore", module=r"nbgrader\.api")
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # Only the manual grading tool takes options of its own (JupyterLab's); elsewhere they are typos.
    if extra and args.commande != "correction-manuelle":
        parser.error(f"arguments inconnus : {' '.join(extra)}")
    args.options_jupyter = extra
    if args.commande is None:
        parser.print_help()
        return 2
    if args.commande in ("session", "apprenants", "comptes") and args.action is None:
        parser.error(f"précisez une action après « {args.commande} » (formation {args.commande} --aide)")
    # Everything formation writes in the session (gradebook, copies, reports) is private;
    # what learners must read in the exchange is given its modes explicitly.
    os.umask(0o077)
    try:
        return run(args)
    except FormationError as exc:
        print(f"formation : {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # never an English traceback for the trainer: one line, and what to do
        print(f"formation : erreur inattendue ({type(exc).__name__} : {str(exc)[:300]}). Rien n'a été perdu : "
              "relancez la même commande ; si l'erreur persiste, transmettez ce message à l'équipe du cours.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nformation : interrompu. Relancez la même commande pour reprendre là où elle s'est arrêtée.",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
