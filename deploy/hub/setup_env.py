"""Prepare the hub's shared Python environment for a training session (run by install.sh, as root).

Starts from the self-study setup (course.setup_lab: French, no news pop-ups, trainer tools
disabled and locked) and gives learners back what a session with an exchange needs:
nbgrader's Assignments and Courses tabs and their server extensions. formgrader and
« create assignment » stay disabled and locked for everyone: the trainer grades with
« sudo formation-hub … » (root, the session is root's), formgrader included
(« sudo formation-hub correction-manuelle », not yet behind the hub). nbgrader's « Validate » stays hidden (the course has « Vérifier mon devoir »).

Idempotent: running it again changes nothing.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from course import setup_lab
from course.clean_repo import write_server_config

SESSION_LAB_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:menu")
SESSION_SERVER_EXTENSIONS = ("nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")


def jupyter(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def learner_nbgrader_config(exchange: Path, course_id: str) -> str:
    return ("# Écrit par deploy/hub/setup_env.py : l'espace d'échange de la session du hub.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
            f"c.CourseDirectory.course_id = {course_id!r}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exchange", type=Path, required=True)
    parser.add_argument("--course-id", required=True)
    args = parser.parse_args(argv)
    # About 25 « jupyter » commands (a minute): done once per environment, whatever the session.
    stamp = Path(sys.prefix) / ".lab-formation"
    wanted = repr((setup_lab.HIDDEN_LAB_PLUGINS, SESSION_LAB_PLUGINS, SESSION_SERVER_EXTENSIONS))
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
        setup_lab.write_overrides()
        setup_lab.hide_trainer_tools()
        for plugin in SESSION_LAB_PLUGINS:
            jupyter("labextension", "unlock", "--level=sys_prefix", plugin)
            jupyter("labextension", "enable", "--level=sys_prefix", plugin)
        for extension in SESSION_SERVER_EXTENSIONS:
            jupyter("server", "extension", "enable", "--sys-prefix", extension)
        write_server_config()
        stamp.write_text(wanted, encoding="utf-8")
    # The sys-prefix config folder is in every user's jupyter_config_path: nbgrader's server
    # extension (and CLI) of every learner finds the exchange and the course id there.
    config = Path(sys.prefix) / "etc" / "jupyter" / "nbgrader_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(learner_nbgrader_config(args.exchange.resolve(), args.course_id), encoding="utf-8")
    config.chmod(0o644)
    return 0


if __name__ == "__main__":
    sys.exit(main())
