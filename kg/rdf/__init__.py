"""RDF layer: vocabulary, mapping of extracted facts to triples, provenance."""
from kg.rdf.namespace import ENT, PKG, bind_prefixes

__all__ = ["ENT", "PKG", "bind_prefixes"]
