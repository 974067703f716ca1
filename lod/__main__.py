"""``python -m lod``: the ``lod`` command."""

from lod.cli import main

if __name__ == "__main__":
    main()
