"""The sandbox carrier: the default, embedded network simulator (``provider.py``), its own
tables (``models.py``: the ledger of sends and the reports it will make), the task that
applies its due reports (``tasks.py``) and the API to play a customer (``api.py``).
Registered in ``../registry.py``."""
