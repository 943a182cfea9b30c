"""``python -m ekslab`` runs the same CLI as the ``ekslab`` console script."""

from ekslab.cli.main import run

if __name__ == "__main__":
    run()
