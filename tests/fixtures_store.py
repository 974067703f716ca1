"""Store fixtures (embedded Oxigraph on temp dirs, Virtuoso started on loopback)."""
