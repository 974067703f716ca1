"""``lod serve``: the store on the web (SPARQL Protocol, Graph Store Protocol, named queries,
the DCAT feed, dereferenceable IRIs and HTML pages), as one ASGI app."""
