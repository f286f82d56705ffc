"""BlueBubbles: real iMessage through a Mac running the BlueBubbles server.

The provider (``provider.py``, with ``send.py``, ``client.py``, ``events.py``, ``media.py``,
``secret.py``, ``state.py``) talks to the server and returns results and events; the glue
(``services.py``: connect a line, apply what the server reports, the poll;
``attachment_view.py``, ``views.py``, ``tasks.py``) calls messaging's services. Registered in ``../registry.py``.
"""
