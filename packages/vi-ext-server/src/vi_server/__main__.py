"""``python -m vi_server``: the reference server's command line (see `vi_server.cli`)."""

from vi_server.cli import main

if __name__ == "__main__":
    main(prog_name="python -m vi_server")
