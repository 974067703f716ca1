"""``lod harvest``: DCAT feeds and Harmony's Discovery API into the store."""

from __future__ import annotations

import click

from lod.cli.progress import ProgressLine
from lod.cli.store_cmds import open_target
from lod.harvest import FetchPolicy, HarvestOptions, HarvestReport, harvest
from lod.harvest.run import DEFAULT_BASE_URI


class _Progress(ProgressLine):
    def __call__(self, report: HarvestReport) -> None:
        self.show(f"{report.pages:,} pages, {report.added + report.changed + report.unchanged:,} "
                  f"datasets, {report.added:,} added, {report.changed:,} changed")


@click.command("harvest")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--store", "store_dir", metavar="DIR",
              help="Embedded store folder (default: $LOD_STORE, else ~/.local/share/lod/store).")
@click.option("--endpoint", metavar="URL", help="A SPARQL 1.1 server instead of the embedded store.")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL, where it differs.")
@click.option("--gsp-endpoint", metavar="URL", help="Graph Store Protocol URL for bulk writes.")
@click.option("--user", metavar="NAME", help="User for the SPARQL server.")
@click.option("--from", "kind", type=click.Choice(["dcat", "harmony"]), default="dcat",
              show_default=True, help="Source kind: a DCAT feed or a Harmony Discovery search URL.")
@click.option("--max-pages", type=click.IntRange(min=1), default=10_000, show_default=True,
              metavar="N", help="Read at most this many pages per URL.")
@click.option("--since", metavar="DATE", help="Only datasets modified since DATE (sent as "
              "modified_since).")
@click.option("--delete-missing", is_flag=True, help="Delete this source's datasets that are "
              "no longer in it (skipped when any page failed).")
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              metavar="SECONDS", help="Give up on a page (or the store's server) after this long.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=50_000_000, show_default=True,
              metavar="N", help="Largest page accepted, decompressed size included.")
@click.option("--base-uri", default=DEFAULT_BASE_URI, show_default=True, metavar="URI",
              help="Where minted IRIs (blank-node datasets, organisations, keywords) live.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors and the summary only.")
def harvest_command(urls: tuple[str, ...], store_dir: str | None, endpoint: str | None,
                    update_endpoint: str | None, gsp_endpoint: str | None, user: str | None,
                    kind: str, max_pages: int, since: str | None, delete_missing: bool,
                    allow_private: bool, timeout: float, max_bytes: int, base_uri: str,
                    quiet: bool) -> None:
    """Harvest DCAT feeds (Turtle, RDF/XML, JSON-LD, N-Triples; Hydra paging) or a Harmony
    Discovery search into the store, each dataset in its own named graph. Unchanged datasets
    are not written again.

    Exit status: 0 when everything was harvested, 1 when some datasets or pages were rejected,
    2 for usage errors and unreachable sources."""
    if not base_uri.endswith(("/", "#")):
        base_uri += "/"
    options = HarvestOptions(kind=kind, max_pages=max_pages, since=since,
                             delete_missing=delete_missing, base_uri=base_uri,
                             policy=FetchPolicy(timeout=timeout, max_bytes=max_bytes,
                                                allow_private=allow_private))
    target = {"store_dir": store_dir, "endpoint": endpoint, "update_endpoint": update_endpoint,
              "gsp_endpoint": gsp_endpoint, "user": user, "timeout": timeout}
    progress = _Progress()

    def problem(message: str) -> None:
        if quiet and message.startswith("warning:"):
            return
        progress.done()
        click.echo(f"lod: {message}", err=True)

    with open_target(target, create=True) as store:
        try:
            report = harvest(store, urls, options, on_problem=problem, on_page=progress)
        finally:
            progress.done()
    click.echo(f"lod: {report.line()}", err=True)
    if report.exit_code:
        raise SystemExit(report.exit_code)
