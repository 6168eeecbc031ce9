"""``kg serve``: a read-only SPARQL endpoint and query page for a graph file or store."""
from __future__ import annotations

import click


@click.command("serve")
@click.argument("graph", type=click.Path(exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Wall-clock limit per query, seconds.")
@click.option("--max-rows", default=10000, show_default=True, type=int, help="Rows returned at most per query.")
@click.option("--workers", default=2, show_default=True, type=int,
              help="Query worker processes for ordinary queries (one more runs expensive ones at low priority).")
@click.option("--max-memory", type=click.FloatRange(min=1), default=None, metavar="MB",
              help="Memory limit per query worker; a worker over it is stopped and replaced.")
@click.option("--cache-mb", type=click.FloatRange(min=0), default=64, show_default=True, metavar="MB",
              help="Memory for answers kept until the data changes (0: answer every query afresh).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (Host header); loopback names are always allowed.")
@click.option("--verbose", is_flag=True, help="Log every request.")
def serve(graph, host, port, timeout, max_rows, workers, max_memory, cache_mb, allow_hosts, verbose):
    """Serve GRAPH (a graph file or store directory) as a SPARQL 1.1 endpoint at /sparql,
    with a query page at /. Read-only; no outbound requests.

    \b
    Example:
        kg serve out/graph.ttl
        kg serve store/ --port 8080 --timeout 5
        curl 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=ASK { ?s ?p ?o }'
    """
    from kg.server import make_server

    server = make_server(graph, host=host, port=port, workers=workers, timeout=timeout,
                         max_rows=max_rows, verbose=verbose, allow_hosts=allow_hosts, memory_mb=max_memory,
                         cache_mb=cache_mb)
    h, p = server.server_address[:2]
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: anyone who can reach this machine can query the graph "
                   "(requests must name it by the address served or an --allow-host name)", err=True)
    click.echo(f"Serving {graph} at http://{h}:{p}/  (SPARQL endpoint: http://{h}:{p}/sparql); Ctrl-C to stop")
    import signal

    def stop(signum, frame):  # `kill` stops it like Ctrl-C: the query workers are stopped too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.pool.close()
