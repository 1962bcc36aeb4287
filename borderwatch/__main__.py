"""``python -m borderwatch``: the CLI of the ``borderwatch`` script, every group loaded."""

from borderwatch.cli import main

if __name__ == "__main__":
    main()
